"""Limit/offset pagination that never counts.

COUNT(*) over a scope of a million tickets costs more than the page itself, so the
page fetches one row beyond the limit to learn whether there is a next page."""
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


class NoCountLimitOffsetPagination(LimitOffsetPagination):
    max_limit = 200
    max_offset = 100_000_000  # beyond any real table, within every database's integer range
    template = None  # the browsable API's page links need a count

    def get_offset(self, request):
        offset = super().get_offset(request)
        if offset > self.max_offset:
            raise ValidationError({self.offset_query_param: [_("At most %(max)d.") % {"max": self.max_offset}]})
        return offset

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        rows = list(queryset[self.offset:self.offset + self.limit + 1])
        self.has_next = len(rows) > self.limit
        return rows[:self.limit]

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        schema_with_count = super().get_paginated_response_schema(schema)
        schema_with_count["properties"].pop("count")
        schema_with_count["required"] = ["results"]
        return schema_with_count
