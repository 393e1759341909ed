from django.urls import path

from .views import foundations, joint_plan, plan_tab, portfolio, sections

app_name = "plans"
urlpatterns = [
    path("", portfolio.portfolio, name="portfolio"),
    path("my-actions/", portfolio.my_actions, name="my_actions"),
    path("customer/<int:pk>/", plan_tab.customer_tab, name="customer_tab"),
    path("customer/<int:pk>/new/", plan_tab.plan_create, name="create"),
    path("<int:plan_pk>/edit/", plan_tab.plan_edit, name="edit"),
    path("<int:plan_pk>/delete/", plan_tab.plan_delete, name="delete"),
    path("<int:plan_pk>/health/", plan_tab.plan_health, name="health"),
    path("<int:plan_pk>/text/<str:field>/", plan_tab.plan_text, name="text"),
    path("<int:plan_pk>/share/", joint_plan.share, name="share"),
    path("<int:plan_pk>/foundations/", foundations.foundations, name="foundations"),
    path("<int:plan_pk>/<str:section>/", sections.section, name="section"),
    path("<int:plan_pk>/<str:section>/add/", sections.item_add, name="item_add"),
    path("<int:plan_pk>/<str:section>/<int:item_pk>/edit/", sections.item_edit, name="item_edit"),
    path(
        "<int:plan_pk>/<str:section>/<int:item_pk>/delete/",
        sections.item_delete,
        name="item_delete",
    ),
    path("actions/<int:item_pk>/status/", sections.action_status, name="action_status"),
    path("initiatives/<int:item_pk>/stage/", sections.initiative_stage, name="initiative_stage"),
    path("links/<int:link_pk>/revoke/", joint_plan.link_revoke, name="link_revoke"),
    path("joint/<str:token>/", joint_plan.joint_plan, name="joint"),
]
