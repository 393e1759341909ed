from django.urls import path

from . import views

app_name = "pipeline"
urlpatterns = [
    path("", views.programme, name="programme"),
    path("customer/<int:pk>/", views.customer_tab, name="customer_tab"),
    path("customer/<int:pk>/bids/new/", views.bid_create, name="bid_create"),
    path("bids/<int:bid_pk>/", views.bid_edit, name="bid_edit"),
    path("bids/<int:bid_pk>/delete/", views.bid_delete, name="bid_delete"),
    path("bids/<int:bid_pk>/candidate/", views.bid_seed, name="bid_seed"),
    path("customer/<int:pk>/contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<int:contract_pk>/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:contract_pk>/delete/", views.contract_delete, name="contract_delete"),
    path("contacts/<int:contact_pk>/follow/", views.follow, name="follow"),
]
