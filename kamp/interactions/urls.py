from django.urls import path

from .views import calendar_import, coverage, customer_tab, dmu, portfolio, target

app_name = "interactions"
urlpatterns = [
    path("customer/<int:pk>/", customer_tab.customer_tab, name="customer_tab"),
    path("customer/<int:pk>/new/", customer_tab.interaction_create, name="create"),
    path("customer/<int:pk>/<int:iid>/edit/", customer_tab.interaction_edit, name="edit"),
    path("customer/<int:pk>/<int:iid>/delete/", customer_tab.interaction_delete, name="delete"),
    path("customer/<int:pk>/target/", target.set_target, name="target"),
    path("customer/<int:pk>/coverage/", coverage.coverage, name="coverage"),
    path("customer/<int:pk>/dmu/", dmu.dmu_map, name="dmu"),
    path("customer/<int:pk>/dmu/new/", dmu.dmu_add, name="dmu_add"),
    path("customer/<int:pk>/dmu/<int:contact_pk>/", dmu.dmu_card, name="dmu_card"),
    path("customer/<int:pk>/dmu/<int:contact_pk>/edit/", dmu.dmu_contact, name="dmu_contact"),
    path("person/<int:user_pk>/", portfolio.person_log, name="person"),
    path("risks/", portfolio.risks, name="risks"),
    path("settings/", portfolio.settings_view, name="settings"),
    path("import/calendar/", calendar_import.calendar_upload, name="calendar_upload"),
    path(
        "import/calendar/<int:batch_pk>/",
        calendar_import.calendar_review,
        name="calendar_review",
    ),
]
