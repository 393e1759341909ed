from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("my-actions/", views.my_actions, name="my_actions"),
    path("customer/<int:pk>/", views.customer_tab, name="customer_tab"),
    path("customer/<int:pk>/new/", views.plan_create, name="create"),
    path("<int:plan_pk>/edit/", views.plan_edit, name="edit"),
    path("<int:plan_pk>/delete/", views.plan_delete, name="delete"),
    path("<int:plan_pk>/health/", views.plan_health, name="health"),
    path("<int:plan_pk>/text/<str:field>/", views.plan_text, name="text"),
    path("<int:plan_pk>/share/", views.share, name="share"),
    path("<int:plan_pk>/<str:section>/", views.section, name="section"),
    path("<int:plan_pk>/<str:section>/add/", views.item_add, name="item_add"),
    path("<int:plan_pk>/<str:section>/<int:item_pk>/edit/", views.item_edit, name="item_edit"),
    path(
        "<int:plan_pk>/<str:section>/<int:item_pk>/delete/", views.item_delete, name="item_delete"
    ),
    path("actions/<int:item_pk>/status/", views.action_status, name="action_status"),
    path("initiatives/<int:item_pk>/stage/", views.initiative_stage, name="initiative_stage"),
    path("links/<int:link_pk>/revoke/", views.link_revoke, name="link_revoke"),
    path("joint/<str:token>/", views.joint_plan, name="joint"),
]
