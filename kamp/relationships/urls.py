from django.urls import path

from . import views

app_name = "relationships"
urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("customer/<int:pk>/", views.customer_tab, name="customer_tab"),
    path("customer/<int:pk>/assess/", views.assess, name="assess"),
    path("customer/<int:pk>/foundations/", views.foundations, name="foundations"),
    path("customer/<int:pk>/stage/", views.stage, name="stage"),
    path("customer/<int:pk>/rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/answer/", views.round_answer, name="answer"),
    path("rounds/<int:pk>/remind/", views.round_remind, name="remind"),
    path("rounds/<int:pk>/add/", views.round_add, name="add"),
    path("rounds/<int:pk>/extend/", views.round_extend, name="extend"),
    path("rounds/<int:pk>/close/", views.round_close, name="close"),
    path("s/<str:token>/", views.public_survey, name="public_survey"),
]
