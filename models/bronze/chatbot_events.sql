-- One row per chatbot event, typed. content stays JSON: its keys are open.
SELECT
    {{ blank_to_null('customer') }} AS customer,
    {{ blank_to_null('flow') }} AS flow,
    {{ blank_to_null('session') }} AS session,
    {{ utc_timestamp('"timestamp"') }} AS event_at,
    CASE WHEN json_valid(content) THEN CAST(content AS JSON) END AS content,
    _source_file,
    _source_line,
    _loaded_at,
    CASE
        WHEN {{ blank_to_null('customer') }} IS NULL THEN 'missing customer'
        WHEN {{ blank_to_null('flow') }} IS NULL THEN 'missing flow'
        WHEN {{ blank_to_null('session') }} IS NULL THEN 'missing session'
        WHEN {{ utc_timestamp('"timestamp"') }} IS NULL THEN 'timestamp is not ISO 8601'
        WHEN content IS NULL OR NOT json_valid(content) OR json_type(CAST(content AS JSON)) <> 'OBJECT' THEN 'content is not a JSON object'
    END AS _reject_reason
FROM {{ source('raw', 'chatbot') }}
