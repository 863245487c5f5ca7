-- Long form: one row per session and key, with the latest valid value and
-- when it was given. The schema never changes, whatever keys a flow brings.
SELECT
    customer,
    flow,
    session,
    answer_key,
    arg_max(answer_value, key_seen) AS answer_value,
    max(event_at) AS answered_at
FROM {{ ref('chatbot_answer_events') }}
GROUP BY customer, flow, session, answer_key
ORDER BY customer, flow, session, min(key_seen)
