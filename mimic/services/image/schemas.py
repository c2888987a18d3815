# -*- test-case-name: mimic.test.test_image_writes -*-
"""
The JSON schemas Glance serves besides the image's (``/v2/schemas/
member``, ``members``, ``task``, ``tasks`` and the metadata-definition
catalog's ``metadefs/*``), which clients fetch to learn a document's
shape.  Mimic serves no metadata-definition catalog (an administrator's
feature), but its schemas, like Glance's, are readable by any project.

Each collection schema wraps its item schema the way Glance's do: a
``name``, the item array under the plural, and ``first``/``next``/
``schema`` links.
"""

from __future__ import annotations

from typing import Any

from mimic.services.image.records import MEMBER_STATUSES


def _string(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _timestamps() -> dict[str, Any]:
    return {
        "created_at": _string("When it was created.", format="date-time", readOnly=True),
        "updated_at": _string("When it last changed.", format="date-time", readOnly=True),
    }


def collection_schema(name: str, plural: str, item: dict[str, Any]) -> dict[str, Any]:
    """
    A collection's schema as Glance wraps one: its items, the paging
    links and the schema's own.
    """
    return {
        "name": name,
        "properties": {
            plural: {"type": "array", "items": item},
            "first": {"type": "string"},
            "next": {"type": "string"},
            "schema": {"type": "string"},
        },
        "links": [
            {"rel": "first", "href": "{first}"},
            {"rel": "next", "href": "{next}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def member_schema() -> dict[str, Any]:
    return {
        "name": "member",
        "properties": {
            "image_id": _string("The shared image's id.", pattern="^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"),
            "member_id": _string("The project the image is shared with."),
            "status": _string("What the member said of the image.", enum=list(MEMBER_STATUSES)),
            "schema": _string("The path of this schema.", readOnly=True),
            **_timestamps(),
        },
    }


def members_schema() -> dict[str, Any]:
    return {
        "name": "members",
        "properties": {
            "members": {"type": "array", "items": member_schema()},
            "schema": {"type": "string"},
        },
        "links": [{"rel": "schema", "href": "{schema}"}],
    }


def task_schema() -> dict[str, Any]:
    return {
        "name": "task",
        "properties": {
            "id": _string("The task's id."),
            "type": _string("The kind of task.", enum=["import", "api_image_import"]),
            "status": _string("Where the task is.", enum=["pending", "processing", "success", "failure"]),
            "input": {"type": "object", "description": "What the task was asked to do."},
            "result": {"type": ["object", "null"], "description": "What the task made."},
            "owner": _string("The project the task belongs to."),
            "message": _string("Why the task failed, if it did."),
            "image_id": _string("The image the task works on.", readOnly=True),
            "request_id": _string("The request that started it.", readOnly=True),
            "user_id": _string("The user who started it.", readOnly=True),
            "expires_at": {"type": ["null", "string"], "description": "When the task is forgotten."},
            "self": _string("The task's path.", readOnly=True),
            "schema": _string("The path of this schema.", readOnly=True),
            **_timestamps(),
        },
    }


def tasks_schema() -> dict[str, Any]:
    return collection_schema("tasks", "tasks", task_schema())


def _namespace() -> dict[str, Any]:
    return {
        "name": "namespace",
        "properties": {
            "namespace": _string("The namespace's unique name.", maxLength=80),
            "display_name": _string("A name for people.", maxLength=80),
            "description": _string("What it describes.", maxLength=500),
            "visibility": _string("Who sees it.", enum=["public", "private"]),
            "protected": {"type": "boolean", "description": "Whether it is safe from deletion."},
            "owner": _string("The project that owns it.", maxLength=255),
            "resource_type_associations": {"type": "array", "items": {"type": "object"}},
            "properties": {"type": "object"},
            "objects": {"type": "array", "items": {"type": "object"}},
            "tags": {"type": "array", "items": {"type": "object"}},
            "self": _string("Its path."),
            "schema": _string("The path of this schema."),
            **_timestamps(),
        },
        "required": ["namespace"],
        "additionalProperties": False,
    }


def _property(name: str = "property") -> dict[str, Any]:
    return {
        "name": name,
        "properties": {
            "name": _string("The property's name.", maxLength=255),
            "title": _string("A title for people."),
            "description": _string("What it means."),
            "type": _string("Its JSON type.", enum=["array", "boolean", "integer", "number", "object", "string", None]),
            "enum": {"type": "array"},
            "default": {},
            "readonly": {"type": "boolean"},
            "operators": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["type", "title"],
    }


def _resource_type() -> dict[str, Any]:
    return {
        "name": "resource_type_association",
        "properties": {
            "name": _string("The resource type, such as OS::Glance::Image.", maxLength=80),
            "prefix": _string("The prefix of its properties.", maxLength=80),
            "properties_target": _string("Where the properties go, such as image or metadata.", maxLength=80),
            **_timestamps(),
        },
        "required": ["name"],
        "additionalProperties": False,
    }


def _object() -> dict[str, Any]:
    return {
        "name": "object",
        "properties": {
            "name": _string("The object's name.", maxLength=80),
            "description": _string("What it is."),
            "required": {"type": "array", "items": {"type": "string"}},
            "properties": {"type": "object"},
            "schema": _string("The path of this schema."),
            "self": _string("Its path."),
            **_timestamps(),
        },
        "required": ["name"],
        "additionalProperties": False,
    }


def _tag() -> dict[str, Any]:
    return {
        "name": "tag",
        "properties": {"name": _string("The tag.", maxLength=255), **_timestamps()},
        "required": ["name"],
        "additionalProperties": False,
    }


def _properties() -> dict[str, Any]:
    return {
        "name": "properties",
        "properties": {"properties": {"type": "object", "additionalProperties": _property()}},
        "links": [{"rel": "describedby", "href": "{schema}"}],
    }


#: Every schema ``/v2/schemas/<path>`` serves, by path.
SCHEMAS = {
    "member": member_schema,
    "members": members_schema,
    "task": task_schema,
    "tasks": tasks_schema,
    "metadefs/namespace": _namespace,
    "metadefs/namespaces": lambda: collection_schema("namespaces", "namespaces", _namespace()),
    "metadefs/resource_type": _resource_type,
    "metadefs/resource_types": lambda: collection_schema(
        "resource_type_associations", "resource_type_associations", _resource_type()
    ),
    "metadefs/object": _object,
    "metadefs/objects": lambda: collection_schema("objects", "objects", _object()),
    "metadefs/property": _property,
    "metadefs/properties": _properties,
    "metadefs/tag": _tag,
    "metadefs/tags": lambda: collection_schema("tags", "tags", _tag()),
}
