"""OpenAPI helpers: enums documented under one name each.

drf-spectacular names an inline enum after the field that holds it, so one choice set
used by two fields (`status` and an error's `current_state`) or two choice sets under
one field name (an assignment's and an extension's `state`) end in warnings and hashed
names. An EnumChoiceField names its component itself."""
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from rest_framework import serializers


class EnumChoiceField(serializers.ChoiceField):
    """A ChoiceField documented as the enum component `component`."""

    def __init__(self, choices, *, component: str, **kwargs):
        self.component = component
        super().__init__(choices=choices, **kwargs)


class EnumChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumChoiceField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = build_choice_field(field)
        schema.pop("x-spec-enum-id", None)  # keeps the enum post-processing hook away from it
        component = ResolvedComponent(name=field.component, type=ResolvedComponent.SCHEMA,
                                      object=field.component, schema=schema)
        auto_schema.registry.register_on_missing(component)
        return component.ref
