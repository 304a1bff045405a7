"""Why each rule has its level, asked one way: what does a client generated from the OLD document
(C# with NSwag, Java or Python with OpenAPI Generator) do when the server behaves as the NEW one says?

- It fails at run time on a call that worked (an exception, a rejected request): **breaking**.
- It keeps working, but regenerating it breaks code that compiled, or behaviour changes quietly
  for some callers: **warning**.
- Nothing it does stops working: **info**.

The rule table in docs/diff.md shows this text next to every rule; a test keeps every rule covered.
"""

from __future__ import annotations

WHY: dict[str, str] = {
    # operations
    "operation-removed": "every call of the generated method gets 404",
    "deprecated-operation-removed": "the generated method carried [Obsolete] / @Deprecated since the deprecation: callers were told",
    "operation-removed-before-sunset": "callers planned for the announced date; until then the method had to work",
    "operation-added": "an old client does not know it and calls nothing new",
    "operation-deprecated": "still answers; regenerated code gets [Obsolete] / @Deprecated, which fails builds that treat warnings as errors",
    "operation-undeprecated": "nothing a client does changes",
    "operation-id-changed": "the wire is unchanged, but a regenerated client renames the method and calling code stops compiling",
    # security
    "security-added": "a client that called without credentials gets 401",
    "security-requirement-changed": "the credentials the client sends are no longer accepted: 401",
    "security-alternative-added": "the old way still works",
    "security-removed": "credentials the client still sends are ignored",
    # parameters
    "request-parameter-added-required": "the generated method never sends it: 400",
    "request-parameter-added": "the generated method does not send it and the server does without",
    "request-parameter-removed": "a sent value is ignored; regenerating drops the method argument and callers stop compiling",
    "request-parameter-became-required": "calls that left it out get 400",
    "request-parameter-became-optional": "the client still sends it",
    "request-parameter-location-changed": "the client sends it where the server no longer looks: missing or 400",
    "request-parameter-type-changed": "values of the old type are rejected or misread",
    "request-parameter-type-generalized": "every old value still fits (int -> long compiles too)",
    "request-parameter-enum-value-removed": "sending a value the generated enum still offers gets 400",
    "request-parameter-enum-value-added": "the old enum's values are all still accepted",
    "request-parameter-became-non-nullable": "a client sending null gets 400",
    "request-parameter-became-nullable": "non-null values are still accepted",
    "request-parameter-constraint-tightened": "values the client's checks allowed are rejected: 400",
    "request-parameter-constraint-loosened": "old values still fit",
    "request-parameter-default-changed": "nothing fails, but clients that omit it silently get other behaviour",
    "request-parameter-deprecated": "still works; regenerated code warns",
    "request-parameter-style-changed": "the generated client serialises the value the old way (a=1&a=2 vs a=1,2): the server misreads it",
    "request-parameter-style-changed-same-wire": "for the values this parameter takes, the old and new styles write the same bytes",
    # request body
    "request-body-added-required": "the generated method sends no body: 400",
    "request-body-added": "the server does without",
    "request-body-removed": "a sent body is ignored; regenerating drops the body argument and callers stop compiling",
    "request-body-became-required": "calls without a body get 400",
    "request-body-became-optional": "the client still sends it",
    "request-media-type-removed": "the client's Content-Type is refused: 415",
    "request-media-type-added": "the old media types still work",
    # request properties
    "request-property-added-required": "the generated model never sets it: 400",
    "request-property-added": "the old model does not send it and the server does without",
    "request-property-became-required": "requests without it get 400",
    "request-property-became-optional": "the client still sends it",
    "request-property-removed": "the server ignores the sent value; regenerating drops the model member and code setting it stops compiling",
    "request-property-removed-strict": "additionalProperties is false: every request that sends it gets 400",
    "request-property-type-changed": "values of the old type are rejected or misread",
    "request-property-type-generalized": "every old value still fits (int -> long compiles too)",
    "request-property-enum-value-removed": "sending a value the generated enum still offers gets 400",
    "request-property-enum-value-added": "the old enum's values are all still accepted",
    "request-property-became-non-nullable": "a client sending null gets 400",
    "request-property-became-nullable": "non-null values are still accepted",
    "request-property-constraint-tightened": "values the client allowed are rejected: 400",
    "request-property-constraint-loosened": "old values still fit",
    "request-property-default-changed": "nothing fails, but clients that omit it silently get other behaviour",
    "request-variant-removed": "a client sending that alternative gets 400",
    "request-variant-added": "the old alternatives are still accepted",
    "request-additional-properties-closed": "clients sending any extra member (older fields, extensions) get 400",
    "request-additional-properties-opened": "everything valid before is still valid",
    "request-required-property-became-read-only": "the server now ignores a value the call depends on: the object is created or changed without it, and nothing fails to say so",
    "request-property-became-read-only": "the call still works, but a value the client sends is ignored without an error: behaviour changes quietly for callers that set it",
    "request-discriminator-mapping-changed": "the server reads the object the client sends as another type, or rejects the value: 400 or wrong data",
    # responses
    "response-success-status-removed": "the client's success path for that status never runs; NSwag throws on the status that replaces it",
    "response-non-success-status-removed": "typed error handling (ApiException<ProblemDetails>) for that status is dead code; the server answers something else",
    "response-success-status-added": "NSwag clients throw on a status they were not generated for; Java and Python read any 2xx",
    "response-non-success-status-added": "an error is an error to the old client too",
    "response-status-range-changed": "200 -> 2XX (or back) documents the same answers; clients keep reading them",
    "response-media-type-removed": "a client asking for that media type gets 406 or an unreadable body",
    "response-media-type-added": "the old media types are still served",
    # response properties
    "response-property-removed": "kept breaking, unlike oasdiff: v3 responses hardly ever declare `required`, yet the fields were always sent; a missing one becomes 0 in C#, null (and an NPE on unboxing) in Java, None in Python",
    "response-property-added": "generated deserialisers ignore unknown members (NSwag/Newtonsoft, Jackson as generated, pydantic)",
    "response-property-type-changed": "the value no longer deserialises into the generated type",
    "response-property-type-specialized": "every new value fits the old, wider type",
    "response-property-became-nullable": "a non-nullable double/int/enum member cannot take null: Newtonsoft throws (NSwag emits Required.DisallowNull), pydantic rejects None, Java unboxing throws",
    "response-property-became-non-nullable": "the client handled null and now never sees it",
    "response-property-enum-value-added": "generated enums reject unknown values: Newtonsoft's StringEnumConverter, OpenAPI Generator's Java fromValue and pydantic all throw",
    "response-property-enum-value-removed": "the client never sees a value it knows how to read",
    "response-required-property-became-optional": "the member the client always got may be missing (0 / null / None, as for a removed property)",
    "response-property-became-required": "the client now always gets what it handled as optional",
    "response-property-constraint-loosened": "OpenAPI Generator's Python (pydantic) models check maxLength, maximum, pattern and the like on every response: a value outside the old bounds fails",
    "response-property-constraint-tightened": "new values fit the old bounds",
    "response-variant-added": "the generated union cannot hold the new alternative: Jackson and NSwag fail on an unknown discriminator, pydantic finds no matching variant",
    "response-variant-removed": "the client never sees a variant it knows how to read",
    "response-property-default-changed": "a default documents what the server fills in; the client reads the value it gets",
    "response-property-became-write-only": "the server stops sending it: a client reading it gets null or a missing-member error, as for a removed property",
    "response-discriminator-mapping-changed": "the client's deserialiser picks the type by the discriminator value: it builds the wrong class, or throws on a value it no longer knows",
    # response headers
    "response-header-removed": "code reading the header finds nothing",
    "response-header-added": "the old client does not read it",
    "response-header-became-optional": "generated clients expose headers as a string map, not typed members: only code that reads this header must handle its absence",
    "response-header-type-changed": "code parsing the header value in the old type fails",
}
