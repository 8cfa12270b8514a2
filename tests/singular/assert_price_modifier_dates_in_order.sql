-- A price modifier ends after it starts: effective_to (exclusive) is later than effective_from.
{{ seed_row_problems(ref('price_modifiers'),
    safe_timestamp("nullif(trim(seed_rows.effective_to), '')") ~ ' <= ' ~ safe_timestamp('seed_rows.effective_from'),
    ['effective_to'], 'is not after effective_from: a row ends (exclusive) after it starts') }}
select modifiers.modifier_key
from {{ ref('stg_seeds__price_modifiers') }} as modifiers
where modifiers.effective_to <= modifiers.effective_from
