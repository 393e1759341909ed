from django.urls import path

from . import views

app_name = "programme"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("health/", views.health_view, name="health"),
    path("benefits/", views.benefits_view, name="benefits"),
    path("alerts/", views.alerts_view, name="alerts"),
    path("alerts/dismiss/", views.alert_dismiss, name="alert_dismiss"),
    path("alerts/history/", views.alert_history, name="alert_history"),
    path("alerts/<int:pk>/restore/", views.alert_restore, name="alert_restore"),
    path("readiness/", views.readiness_list, name="readiness"),
    path("readiness/new/", views.readiness_take, name="readiness_take"),
    path("readiness/<int:pk>/", views.readiness_result, name="readiness_result"),
    path("digest/", views.my_digest, name="digest"),
]
