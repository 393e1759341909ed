from django.urls import path

from . import views

app_name = "selection"
urlpatterns = [
    path("customer/<int:pk>/", views.customer_tab, name="customer_tab"),
]
