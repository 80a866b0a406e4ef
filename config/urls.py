from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("annotator.api.urls")),
    path("", include("annotator.pages")),
]

# Under /api/ these answer in the API's error shape ({"detail": ...}); elsewhere Django's pages.
handler400 = "annotator.api.errors.bad_request"
handler404 = "annotator.api.errors.not_found"
