from django.urls import path

from . import views

app_name = "economics"
urlpatterns = [
    path("customer/<int:pk>/", views.customer_tab, name="customer_tab"),
    path("customer/<int:pk>/export.xlsx", views.customer_export, name="customer_export"),
    path(
        "customer/<int:pk>/activity/<int:record_pk>/delete/",
        views.activity_delete,
        name="activity_delete",
    ),
    path(
        "customer/<int:pk>/investment/<int:investment_pk>/delete/",
        views.investment_delete,
        name="investment_delete",
    ),
    path("customer/<int:pk>/spend/<int:spend_pk>/delete/", views.spend_delete, name="spend_delete"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("portfolio/export.xlsx", views.portfolio_export, name="portfolio_export"),
    path("investments/", views.programme_investments, name="programme_investments"),
    path(
        "investments/<int:investment_pk>/",
        views.programme_investment_action,
        name="programme_investment_action",
    ),
    path("settings/", views.economics_settings, name="settings"),
    path("settings/rate/<int:rate_pk>/delete/", views.rate_delete, name="rate_delete"),
]
