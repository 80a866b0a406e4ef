"""Page-number pagination for every list endpoint (docs/api.md, "Pagination").

    GET /api/projects/?page=2&page_size=100
    -> {"count": 230, "next": ".../?page=3&page_size=100", "previous": ".../?page=1&page_size=100", "results": [...]}

Each list keeps a total order (its model's Meta.ordering ends in a unique column), so pages neither
repeat nor skip rows while nothing is written between two requests.
"""

from rest_framework.pagination import PageNumberPagination

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class PagePagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


def paginated(view, items, serializer_class, **serializer_kwargs):
    """Return the page of `items` the request asks for, serialized, as a paginated Response.

    For @action lists and APIViews, which DRF's ListModelMixin does not paginate for us.
    """
    page = view.paginate_queryset(items)
    return view.get_paginated_response(serializer_class(page, many=True, **serializer_kwargs).data)
