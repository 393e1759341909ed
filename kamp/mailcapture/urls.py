from django.urls import path

from . import views

app_name = "mailcapture"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("mailbox/", views.mailbox, name="mailbox"),
    path("mailbox/check/", views.mailbox_check, name="mailbox_check"),
    path("mailbox/remove/", views.mailbox_remove, name="mailbox_remove"),
]
