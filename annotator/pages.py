"""Server-rendered pages: login/logout and the shell that hosts the built front end."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path, re_path
from django.views.decorators.csrf import ensure_csrf_cookie


@ensure_csrf_cookie
@login_required
def app_shell(request, *args, **kwargs):
    """Every front-end route serves the same page; the TypeScript app routes on the client."""
    return render(request, "annotator/app.html", {"username": request.user.username})


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="annotator/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/login/"), name="logout"),
    path("", app_shell, name="app"),
    re_path(r"^(?:projects|videos|review)(?:/.*)?$", app_shell),
]
