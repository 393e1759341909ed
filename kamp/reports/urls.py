from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("plan/<int:plan_pk>/pdf/", views.plan_pdf, name="plan_pdf"),
    path("plan/<int:plan_pk>/pptx/", views.plan_pptx, name="plan_pptx"),
    path("identity/", views.identity_settings, name="identity"),
    path("customer/<int:customer_pk>/logo/", views.customer_logo, name="customer_logo"),
]
