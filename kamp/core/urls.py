from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("settings/", views.company_settings, name="settings"),
    path("audit/", views.audit_log, name="audit"),
]
