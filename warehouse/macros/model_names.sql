-- How a model name from a price list or a quality board becomes a comparable key.
-- Used by marts.model_identity; rules and examples are in README "Model identity".

-- The route or configuration a name carries on top of the model: OpenRouter's ':free', ':batch',
-- ':thinking'; Epoch's reasoning-effort and thinking-budget suffixes ('_high', '_32K', '_unknown');
-- a serving precision ('-fp8', '-bf16'). Null for the plain model.
CREATE OR REPLACE MACRO staging.model_variant(name) AS
    nullif(regexp_extract(lower(trim(name)),
        '(:[^:/]+|_(?:xhigh|high|medium|low|minimal|none|unknown|thinking|max|[0-9]+k)|-(?:fp8|bf16|fp16|int4|int8))$', 1), '');

-- The model itself, spelled one way: lower case; no vendor or host prefix ('qwen/', 'chutes/');
-- no variant; ISO dates as one token; '3p2' as '3.2' (Fireworks' spelling); 'meta-llama' as
-- 'llama'; every run of letters or digits one token, joined by '-'. So 'anthropic/claude-3.7-sonnet',
-- 'Claude 3.7 Sonnet' and 'claude-3-7-sonnet' agree, while 'gpt-4o' and 'gpt-4o-mini', or
-- 'qwen2.5-72b' and 'qwen2-72b', stay apart: keys are compared whole, never by similarity.
CREATE OR REPLACE MACRO staging.model_exact_key(name) AS
    trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        regexp_replace(regexp_replace(
            regexp_replace(lower(trim(name)),
                '^.*/|(:[^:/]+|_(?:xhigh|high|medium|low|minimal|none|unknown|thinking|max|[0-9]+k)|-(?:fp8|bf16|fp16|int4|int8))$', '', 'g'),
            '(20[0-9]{2})-([01][0-9])-([0-3][0-9])', '\1\2\3', 'g'),
            '([0-9])p([0-9])', '\1.\2', 'g'),
            '^meta-llama', 'llama'),
            '([a-z])([0-9])', '\1-\2', 'g'),
            '([0-9])([a-z])', '\1-\2', 'g'),
            '[^a-z0-9]+', '-', 'g'), '-');

-- A dated snapshot's alias: 'gpt-4o-20240806' -> 'gpt-4o', 'claude-3-haiku-latest' -> 'claude-3-haiku'.
-- Only full dates (YYYYMMDD) and 'latest' go: short version tags like '0324' or '2507' name
-- different models (deepseek-v3-0324 is not deepseek-v3).
CREATE OR REPLACE MACRO staging.model_undated_key(key) AS
    trim(regexp_replace(key, '(-20[0-9]{6}|-latest)+$', ''), '-');
