-- One row per change event of the shop database, its envelope typed. The row
-- image is the state the event leaves its key in: `after` for a snapshot read
-- (r), insert (c) or update (u); `before` for a delete (d), which only needs
-- the key. A live image is checked against its table's columns here, so
-- silver can type it without losing a value.
-- batch: load: a run types only the events loaded since the last one.
{{ config(materialized='incremental', batch='load') }}
WITH envelope AS (
    SELECT
        {{ blank_to_null('op') }} AS op,
        {{ blank_to_null('ts_ms') }} AS ts_ms_text,
        CASE WHEN json_valid("source") AND json_type(CAST("source" AS JSON)) = 'OBJECT' THEN CAST("source" AS JSON) END AS src,
        CASE WHEN json_valid("before") AND json_type(CAST("before" AS JSON)) = 'OBJECT' THEN CAST("before" AS JSON) END AS before_image,
        CASE WHEN json_valid("after") AND json_type(CAST("after" AS JSON)) = 'OBJECT' THEN CAST("after" AS JSON) END AS after_image,
        _source_file,
        _source_line
    FROM {{ source('raw', 'ecommerce_cdc') }}
),
typed AS (
    SELECT
        src ->> 'table' AS table_name,
        op,
        ts_ms_text,
        {{ blank_to_null("src ->> 'lsn'") }} AS lsn_text,
        before_image,
        after_image,
        CASE WHEN op = 'd' THEN before_image ELSE after_image END AS row_image,
        _source_file,
        _source_line
    FROM envelope
),
-- The row image parsed once, into its table's columns.
parsed AS (
    SELECT
        *,
        {{ ecommerce_cdc_schema('fields') }}
    FROM typed
),
keyed AS (
    SELECT
        *,
        {{ blank_to_null(ecommerce_cdc_schema('key')) }} AS key_text,
        CASE WHEN regexp_full_match(ts_ms_text, '[0-9]{1,15}') THEN CAST(ts_ms_text AS BIGINT) END AS ts_ms,
        CASE WHEN regexp_full_match(lsn_text, '[0-9]{1,18}') THEN CAST(lsn_text AS BIGINT) END AS lsn
    FROM parsed
)
SELECT
    table_name,
    op,
    CASE WHEN regexp_full_match(key_text, '[+-]?[0-9]{1,18}') THEN CAST(key_text AS BIGINT) END AS pk,
    ts_ms,
    lsn,
    CAST(epoch_ms(ts_ms) AS TIMESTAMP) AS changed_at,
    row_image,
    _source_file,
    _source_line,
    CASE
        WHEN op IS NULL OR op NOT IN ('r', 'c', 'u', 'd') THEN 'unknown op'
        WHEN table_name IS NULL OR table_name NOT IN ({{ ecommerce_cdc_schema('names') }}) THEN 'unknown table'
        WHEN ts_ms_text IS NULL THEN 'missing ts_ms'
        WHEN ts_ms IS NULL THEN 'ts_ms is not an integer'
        WHEN lsn_text IS NULL THEN 'missing lsn'
        WHEN lsn IS NULL THEN 'lsn is not an integer'
        WHEN op <> 'd' AND after_image IS NULL THEN 'missing after'
        WHEN op = 'd' AND before_image IS NULL THEN 'missing before'
        WHEN key_text IS NULL THEN 'missing key'
        WHEN NOT regexp_full_match(key_text, '[+-]?[0-9]{1,18}') THEN 'key is not an integer'
        WHEN op <> 'd' THEN {{ ecommerce_cdc_schema('problem') | indent(12) }}
    END AS _reject_reason
FROM keyed
