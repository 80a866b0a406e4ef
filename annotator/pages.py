"""Server-rendered pages: login/logout and the shell that hosts the built front end."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.urls import path, re_path
from django.views.decorators.csrf import ensure_csrf_cookie

from annotator.api.throttles import sign_in_wait


@ensure_csrf_cookie
@login_required
def app_shell(request, *args, **kwargs):
    """Every front-end route serves the same page; the TypeScript app routes on the client."""
    return render(request, "annotator/app.html", {"username": request.user.username})


@cache_control(public=True, max_age=24 * 3600)
def favicon(request):
    """Browsers ask for /favicon.ico on every site whatever the page links; answer it, not a 404."""
    return FileResponse(open(finders.find("annotator/favicon.ico"), "rb"), content_type="image/x-icon")


class SignInView(auth_views.LoginView):
    """Django's login page, with the API token endpoint's limits on password guesses."""

    template_name = "annotator/login.html"

    def post(self, request, *args, **kwargs):
        wait = sign_in_wait(request)
        if wait is None:
            return super().post(request, *args, **kwargs)
        # An unbound form: binding it would check the password, the very guess being refused.
        context = self.get_context_data(form=self.get_form_class()(request), retry_after=wait)
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(wait)
        return response


urlpatterns = [
    path("favicon.ico", favicon),
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/login/"), name="logout"),
    path("", app_shell, name="app"),
    re_path(r"^(?:projects|videos|review)(?:/.*)?$", app_shell),
]
