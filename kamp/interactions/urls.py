from django.urls import path

from . import views

app_name = "interactions"
urlpatterns = [
    path("customer/<int:pk>/", views.customer_tab, name="customer_tab"),
    path("customer/<int:pk>/new/", views.interaction_create, name="create"),
    path("customer/<int:pk>/<int:iid>/edit/", views.interaction_edit, name="edit"),
    path("customer/<int:pk>/<int:iid>/delete/", views.interaction_delete, name="delete"),
    path("customer/<int:pk>/coverage/", views.coverage, name="coverage"),
    path("customer/<int:pk>/dmu/", views.dmu_map, name="dmu"),
    path("customer/<int:pk>/dmu/new/", views.dmu_add, name="dmu_add"),
    path("customer/<int:pk>/dmu/<int:contact_pk>/", views.dmu_card, name="dmu_card"),
    path("customer/<int:pk>/dmu/<int:contact_pk>/edit/", views.dmu_contact, name="dmu_contact"),
    path("person/<int:user_pk>/", views.person_log, name="person"),
    path("risks/", views.risks, name="risks"),
    path("settings/", views.settings_view, name="settings"),
    path("import/calendar/", views.calendar_upload, name="calendar_upload"),
    path("import/calendar/<int:batch_pk>/", views.calendar_review, name="calendar_review"),
]
