from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from kamp.api import api
from kamp.core import views as core_views
from kamp.core import views_ops as core_views_ops
from kamp.customers import home
from kamp.sso import passwords as sso_passwords
from kamp.sso import views as sso_views

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "login/",
        login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    # Also ends the single sign-on provider's session when there is one.
    path("logout/", sso_views.LogoutView.as_view(), name="logout"),
    path("sso/", include("kamp.sso.urls")),
    # Django's names: its views and e-mails reverse them.
    # kamp.sso's: while password login is off, only the break-glass administrators set one.
    path("password/", sso_passwords.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/changed/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", sso_passwords.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        sso_passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("healthz", core_views_ops.healthz, name="healthz"),
    path("metrics", core_views_ops.metrics, name="metrics"),
    path("", include("kamp.core.urls")),
    path("customers/", include("kamp.customers.urls")),
    path("team/", include("kamp.team.urls")),
    path("economics/", include("kamp.economics.urls")),
    path("selection/", include("kamp.selection.urls")),
    path("relationships/", include("kamp.relationships.urls")),
    path("interactions/", include("kamp.interactions.urls")),
    path("plans/", include("kamp.plans.urls")),
    path("pipeline/", include("kamp.pipeline.urls")),
    path("programme/", include("kamp.programme.urls")),
    path("reports/", include("kamp.reports.urls")),
    path("connect/", include("kamp.connect.urls")),
    path("mail/", include("kamp.mailcapture.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
