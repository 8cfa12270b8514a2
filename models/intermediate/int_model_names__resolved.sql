{#- Each reported (provider, model name) of the batch mapped to a priced (provider, model), once per distinct
    name, so the regex aliases run over a few hundred names instead of every call (rules: macro resolve_model_names). -#}
with

calls as (
    select * from {{ ref('int_llm_calls') }}
),

reported_names as (
    select distinct
        reported_provider,
        response_model as model_name
    from calls
    where response_model is not null
    union distinct
    select distinct
        reported_provider,
        request_model as model_name
    from calls
    where request_model is not null
    union distinct
    -- a Bedrock id without its cross-region inference profile (us., eu., ...), tried last
    select distinct
        reported_provider,
        unprefixed_model as model_name
    from calls
    where unprefixed_model is not null
),

{{ resolve_model_names('reported_names') }}

select * from resolved_model_names
