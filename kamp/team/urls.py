from django.urls import path

from . import views

app_name = "team"
urlpatterns = [
    path("customer/<int:pk>/", views.customer_team, name="customer"),
    path("customer/<int:pk>/panel/", views.team_panel, name="panel"),
    path("customer/<int:pk>/members/add/", views.member_add, name="member_add"),
    path("customer/<int:pk>/members/<int:member_pk>/", views.member_update, name="member_update"),
    path(
        "customer/<int:pk>/members/<int:member_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("customer/<int:pk>/owner/", views.owner_change, name="owner_change"),
    path("kams/", views.kam_list, name="kams"),
    path("kams/<int:pk>/", views.kam_profile, name="kam"),
    path("kams/<int:pk>/assess/", views.kam_assess, name="kam_assess"),
]
