-- Debezium's precise decimals decode to the DECIMAL they encode: positive,
-- negative and zero values, one byte and many, scales 0, 2 and 4. A row is
-- a value that decodes to something else.
WITH scale_2(encoded, expected) AS (
    VALUES
        ('AA==', 0.00),                      -- 0x00
        ('AQ==', 0.01),                      -- 0x01
        ('fw==', 1.27),                      -- 0x7F, the largest one-byte value
        ('/w==', -0.01),                     -- 0xFF
        ('gA==', -1.28),                     -- 0x80, the smallest one-byte value
        ('AIA=', 1.28),                      -- 0x0080: a leading zero byte keeps it positive
        ('/wA=', -2.56),                     -- 0xFF00
        ('ARMyI/A=', 46170204.00),           -- 0x01133223F0
        ('/uzN3BA=', -46170204.00),          -- its two's complement
        ('AJiWgA==', 100000.00),             -- 0x00989680
        ('DeC2s6dj//8=', 9999999999999999.99) -- 8 bytes: the largest DECIMAL(18,2)
),
scale_0(encoded, expected) AS (
    VALUES
        ('AA==', 0),
        ('Ew==', 19),
        ('7Q==', -19),
        ('AQAAAAAAAAAA', 18446744073709551616) -- 9 bytes: 2^64, beyond BIGINT
),
scale_4(encoded, expected) AS (
    VALUES
        ('MDk=', 1.2345),                    -- 0x3039 = 12345
        ('z8c=', -1.2345)
),
decoded AS (
    SELECT encoded, CAST(expected AS DECIMAL(38, 4)) AS expected,
        CAST({{ ecommerce_cdc_base64_decimal('encoded', 2) }} AS DECIMAL(38, 4)) AS got
    FROM scale_2
    UNION ALL
    SELECT encoded, CAST(expected AS DECIMAL(38, 4)),
        CAST({{ ecommerce_cdc_base64_decimal('encoded', 0) }} AS DECIMAL(38, 4))
    FROM scale_0
    UNION ALL
    SELECT encoded, CAST(expected AS DECIMAL(38, 4)),
        CAST({{ ecommerce_cdc_base64_decimal('encoded', 4) }} AS DECIMAL(38, 4))
    FROM scale_4
)
SELECT encoded, expected, got
FROM decoded
WHERE got IS DISTINCT FROM expected
