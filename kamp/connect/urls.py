from django.urls import path

from . import views

app_name = "connect"
urlpatterns = [
    path("", views.home, name="home"),
    path("tokens/new/", views.token_new, name="token_new"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("feed/new/", views.feed_new, name="feed_new"),
    path("feed/revoke/", views.feed_revoke, name="feed_revoke"),
    path("feed/<str:token>.ics", views.calendar_feed, name="feed"),
    path("calendars/new/", views.calendar_new, name="calendar_new"),
    path("calendars/<int:pk>/sync/", views.calendar_sync, name="calendar_sync"),
    path("calendars/<int:pk>/resume/", views.calendar_resume, name="calendar_resume"),
    path("calendars/<int:pk>/mode/", views.calendar_mode, name="calendar_mode"),
    path("calendars/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/new/", views.webhook_new, name="webhook_new"),
    path("webhooks/<int:pk>/", views.webhook, name="webhook"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("admin/", views.admin_connections, name="admin"),
    path("admin/tokens/<int:pk>/revoke/", views.admin_token_revoke, name="admin_token_revoke"),
    path(
        "admin/calendars/<int:pk>/delete/",
        views.admin_calendar_delete,
        name="admin_calendar_delete",
    ),
]
