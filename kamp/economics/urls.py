from django.urls import path

from .views import customer_tab, figures_help, portfolio, programme_investments, settings_page

app_name = "economics"
urlpatterns = [
    path("customer/<int:pk>/", customer_tab.customer_tab, name="customer_tab"),
    path("customer/<int:pk>/export.xlsx", customer_tab.customer_export, name="customer_export"),
    path(
        "customer/<int:pk>/activity/<int:record_pk>/delete/",
        customer_tab.activity_delete,
        name="activity_delete",
    ),
    path(
        "customer/<int:pk>/investment/<int:investment_pk>/delete/",
        customer_tab.investment_delete,
        name="investment_delete",
    ),
    path(
        "customer/<int:pk>/spend/<int:spend_pk>/delete/",
        customer_tab.spend_delete,
        name="spend_delete",
    ),
    path("help/figures/", figures_help.figures_help, name="figures_help"),
    path("portfolio/", portfolio.portfolio, name="portfolio"),
    path("portfolio/export.xlsx", portfolio.portfolio_export, name="portfolio_export"),
    path(
        "investments/",
        programme_investments.programme_investments,
        name="programme_investments",
    ),
    path(
        "investments/<int:investment_pk>/",
        programme_investments.programme_investment_action,
        name="programme_investment_action",
    ),
    path("settings/", settings_page.economics_settings, name="settings"),
    path("settings/rate/<int:rate_pk>/delete/", settings_page.rate_delete, name="rate_delete"),
]
