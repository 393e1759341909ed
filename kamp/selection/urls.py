from django.urls import path

from . import views

app_name = "selection"
urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("grid/", views.grid, name="grid"),
    path("grid/save/", views.grid_save, name="grid_save"),
    path("models/", views.model_list, name="models"),
    path("models/new/", views.model_edit, name="model_create"),
    path("models/<int:pk>/", views.model_edit, name="model_edit"),
    path("models/<int:pk>/activate/", views.model_activate, name="model_activate"),
    path("models/<int:pk>/delete/", views.model_delete, name="model_delete"),
    path("models/<int:pk>/export.toml", views.model_export, name="model_export"),
    path("snapshots/new/", views.snapshot_create, name="snapshot_create"),
    path("customer/<int:pk>/", views.customer_tab, name="customer_tab"),
    path("customer/<int:pk>/score/", views.customer_score, name="customer_score"),
    path("customer/<int:pk>/decide/", views.decide, name="decide"),
]
