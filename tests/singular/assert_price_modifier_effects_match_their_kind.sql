-- A price modifier row has the effect its modifier takes (the emitter registry's price_modifiers): a fee modifier
-- (web_search_fee) a fee and nothing else, a multiplier modifier a multiplier (blank is 1) and nothing else, a token-rate
-- modifier (audio_input_tokens, audio_output_tokens) token rates at most (a multiplier of 1 at most; no rate: the row
-- records that the model bills the signal as text), a cached rate only where the registry declares a cached part, a
-- text-rate modifier (image_input_tokens, image_output_tokens) nothing but a multiplier of 1 at most.
{%- set modifiers_by_effect = {'fee': [], 'token_rate': [], 'text_rate': [], 'cached': []} -%}
{%- for modifier, rule in emitter_registry()['price_modifiers'].items() -%}
    {%- if rule['effect'] in modifiers_by_effect -%}
        {%- do modifiers_by_effect[rule['effect']].append("'" ~ modifier ~ "'") -%}
    {%- endif -%}
    {%- if rule.get('cached_part') -%}{%- do modifiers_by_effect['cached'].append("'" ~ modifier ~ "'") -%}{%- endif -%}
{%- endfor -%}
{%- set fee_modifiers = modifiers_by_effect['fee'] -%}
{%- set rate_modifiers = modifiers_by_effect['token_rate'] or ["''"] -%}
{%- set cached_modifiers = modifiers_by_effect['cached'] or ["''"] -%}
{%- set text_modifiers = modifiers_by_effect['text_rate'] or ["''"] -%}
{%- set modifier = 'lower(trim(seed_rows.modifier))' -%}
{%- set is_fee = modifier ~ ' in (' ~ fee_modifiers | join(', ') ~ ')' -%}
{%- set is_rate = modifier ~ ' in (' ~ rate_modifiers | join(', ') ~ ')' -%}
{%- set is_cached = modifier ~ ' in (' ~ cached_modifiers | join(', ') ~ ')' -%}
{%- set is_text = modifier ~ ' in (' ~ text_modifiers | join(', ') ~ ')' -%}
{%- set blank_fee = "nullif(trim(seed_rows.fee_usd_per_unit), '') is null" -%}
{%- set blank_multiplier = "nullif(trim(seed_rows.rate_multiplier), '') is null" -%}
{%- set blank_rate = "nullif(trim(seed_rows.usd_per_mtok), '') is null" -%}
{%- set blank_cached_rate = "nullif(trim(seed_rows.cache_read_usd_per_mtok), '') is null" -%}
{%- set one_at_most = '(' ~ blank_multiplier ~ ' or ' ~ safe_money("nullif(trim(seed_rows.rate_multiplier), '')") ~ ' = 1)' %}
{{ seed_row_problems(ref('price_modifiers'),
    '(' ~ is_fee ~ ' and (' ~ blank_fee ~ ' or not ' ~ blank_multiplier ~ '))'
    ~ ' or ((' ~ is_rate ~ ' or ' ~ is_text ~ ') and (not ' ~ blank_fee ~ ' or not ' ~ one_at_most ~ '))'
    ~ ' or (not ' ~ is_fee ~ ' and not ' ~ blank_fee ~ ')'
    ~ ' or (not ' ~ is_rate ~ ' and not (' ~ blank_rate ~ ' and ' ~ blank_cached_rate ~ '))'
    ~ ' or (not ' ~ is_cached ~ ' and not ' ~ blank_cached_rate ~ ')',
    ['rate_multiplier', 'fee_usd_per_unit', 'usd_per_mtok', 'cache_read_usd_per_mtok'],
    'do not fit the modifier: a fee modifier (' ~ fee_modifiers | join(', ') ~ ') takes fee_usd_per_unit only, a '
    ~ 'token-rate modifier (' ~ rate_modifiers | join(', ') ~ ') usd_per_mtok (and cache_read_usd_per_mtok for '
    ~ cached_modifiers | join(', ') ~ ') only (rate_multiplier 1 at most), a text-rate modifier ('
    ~ text_modifiers | join(', ') ~ ') nothing (rate_multiplier 1 at most), the others rate_multiplier only') }}
select modifiers.modifier_key
from {{ ref('stg_seeds__price_modifiers') }} as modifiers
where
    (modifiers.modifier in ({{ fee_modifiers | join(', ') }}) and modifiers.fee_usd_per_unit is null)
    or (
        modifiers.modifier in ({{ (rate_modifiers + text_modifiers) | join(', ') }})
        and modifiers.rate_multiplier <> 1
    )
    or (modifiers.modifier not in ({{ fee_modifiers | join(', ') }}) and modifiers.fee_usd_per_unit is not null)
    or (
        modifiers.modifier not in ({{ rate_modifiers | join(', ') }})
        and (modifiers.usd_per_mtok is not null or modifiers.cache_read_usd_per_mtok is not null)
    )
    or (modifiers.modifier not in ({{ cached_modifiers | join(', ') }}) and modifiers.cache_read_usd_per_mtok is not null)
