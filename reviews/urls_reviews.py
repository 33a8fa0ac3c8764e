"""Review pages, mounted under /o/<org_slug>/reviews/."""

from django.urls import path

from .views import reviews

urlpatterns = [
    path("my/", reviews.my_reviews, name="my-reviews"),
    path("<int:pk>/", reviews.review_detail, name="review-detail"),
    path("<int:pk>/self-assessment/", reviews.review_self, name="review-self"),
    path("<int:pk>/manager-review/", reviews.review_manager, name="review-manager"),
    path("<int:pk>/share/", reviews.review_share, name="review-share"),
    path("<int:pk>/acknowledge/", reviews.review_acknowledge, name="review-acknowledge"),
    path(
        "<int:pk>/development-goals/",
        reviews.review_development,
        name="review-development-goals",
    ),
    path("<int:pk>/pdf/", reviews.review_pdf, name="review-pdf"),
]
