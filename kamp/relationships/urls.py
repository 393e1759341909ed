from django.urls import path

from .views import customer_tab, portfolio, public_survey, rounds

app_name = "relationships"
urlpatterns = [
    path("", portfolio.portfolio, name="portfolio"),
    path("customer/<int:pk>/", customer_tab.customer_tab, name="customer_tab"),
    path("customer/<int:pk>/assess/", customer_tab.assess, name="assess"),
    path("customer/<int:pk>/foundations/", customer_tab.foundations, name="foundations"),
    path("customer/<int:pk>/stage/", customer_tab.stage, name="stage"),
    path("customer/<int:pk>/rounds/new/", rounds.round_new, name="round_new"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round"),
    path("rounds/<int:pk>/answer/", rounds.round_answer, name="answer"),
    path("rounds/<int:pk>/remind/", rounds.round_remind, name="remind"),
    path("rounds/<int:pk>/add/", rounds.round_add, name="add"),
    path("rounds/<int:pk>/extend/", rounds.round_extend, name="extend"),
    path("rounds/<int:pk>/close/", rounds.round_close, name="close"),
    path("s/<str:token>/", public_survey.public_survey, name="public_survey"),
]
