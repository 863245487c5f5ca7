-- Long form: one row per session and key, with the latest valid value and
-- when it was given. The schema never changes, whatever keys a flow brings.
SELECT customer, flow, session, answer_key, answer_value, answered_at
FROM {{ ref('chatbot_latest_answers') }}
ORDER BY customer, flow, session, first_seen
