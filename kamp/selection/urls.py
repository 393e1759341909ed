from django.urls import path

from .views import customer, grid, matrix, model_editing, reciprocity

app_name = "selection"
urlpatterns = [
    path("", matrix.portfolio, name="portfolio"),
    path("grid/", grid.grid, name="grid"),
    path("grid/save/", grid.grid_save, name="grid_save"),
    path("models/", model_editing.model_list, name="models"),
    path("models/new/", model_editing.model_edit, name="model_create"),
    path("models/<int:pk>/", model_editing.model_edit, name="model_edit"),
    path("models/<int:pk>/activate/", model_editing.model_activate, name="model_activate"),
    path("models/<int:pk>/delete/", model_editing.model_delete, name="model_delete"),
    path("models/<int:pk>/export.toml", model_editing.model_export, name="model_export"),
    path("snapshots/new/", matrix.snapshot_create, name="snapshot_create"),
    path("customer/<int:pk>/", customer.customer_tab, name="customer_tab"),
    path("customer/<int:pk>/score/", customer.customer_score, name="customer_score"),
    path("customer/<int:pk>/decide/", customer.decide, name="decide"),
    path(
        "customer/<int:pk>/reciprocity/evidence/",
        reciprocity.evidence_add,
        name="reciprocity_add",
    ),
    path(
        "customer/<int:pk>/reciprocity/evidence/<int:evidence_id>/delete/",
        reciprocity.evidence_delete,
        name="reciprocity_delete",
    ),
    path(
        "customer/<int:pk>/reciprocity/override/", reciprocity.override, name="reciprocity_override"
    ),
]
