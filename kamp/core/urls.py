from django.urls import path

from . import views, views_imports

app_name = "core"
urlpatterns = [
    path("settings/", views.company_settings, name="settings"),
    path("audit/", views.audit_log, name="audit"),
    path("imports/", views_imports.imports_home, name="imports"),
    path("imports/<int:pk>/", views_imports.import_batch, name="import_batch"),
    path("imports/sample/<slug:kind>.csv", views_imports.import_sample, name="import_sample"),
    path("imports/<int:pk>/mapping/", views_imports.import_mapping, name="import_mapping"),
    path(
        "imports/mappings/<int:pk>/delete/",
        views_imports.delete_saved_mapping,
        name="delete_saved_mapping",
    ),
    path("imports/<int:pk>/run/", views_imports.import_run, name="import_run"),
    path("imports/<int:pk>/progress/", views_imports.import_progress, name="import_progress"),
    path("imports/<int:pk>/revert/", views_imports.import_revert, name="import_revert"),
    path("imports/<int:pk>/discard/", views_imports.import_discard, name="import_discard"),
]
