"""Page-number pagination for every list endpoint (docs/api.md, "Pagination").

    GET /api/projects/?page=2&page_size=100
    -> {"count": 230, "next": ".../?page=3&page_size=100", "previous": ".../?page=1&page_size=100", "results": [...]}

Each list keeps a total order (its model's Meta.ordering ends in a unique column), so pages neither
repeat nor skip rows while nothing is written between two requests.
"""

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class FirstPageCountingPaginator(Paginator):
    """Django's Paginator, except that a first page which is not full is the whole list: its length is
    the count, so no COUNT query. The first page is read with one row more to tell; when it is full, the
    count is asked as usual, and the page is not read again."""

    def page(self, number):
        if str(number) != "1" or self.orphans or not self.allow_empty_first_page or "count" in self.__dict__:
            return super().page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.count = len(rows)  # sets the cached_property
        return self._get_page(rows[: self.per_page], 1, self)


class PagePagination(PageNumberPagination):
    django_paginator_class = FirstPageCountingPaginator
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


def paginated(view, items, serializer_class, **serializer_kwargs):
    """Return the page of `items` the request asks for, serialized, as a paginated Response.

    For @action lists and APIViews, which DRF's ListModelMixin does not paginate for us.
    """
    page = view.paginate_queryset(items)
    return view.get_paginated_response(serializer_class(page, many=True, **serializer_kwargs).data)
