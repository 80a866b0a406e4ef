from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # One sign-in page, with its limits on password guesses (annotator.pages.SignInView).
    path("admin/login/", RedirectView.as_view(url="/login/", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/", include("annotator.api.urls")),
    path("", include("annotator.pages")),
]

# Under /api/ these answer in the API's error shape ({"detail": ...}); elsewhere Django's pages.
handler400 = "annotator.api.errors.bad_request"
handler404 = "annotator.api.errors.not_found"
