-- Hand-written (drizzle-kit cannot express it): the function the generated search_vector column calls.
-- IMMUTABLE (a generated column requires it; true here: the configurations are fixed by name). Stemmed English
-- for documents detected as 'en', `simple` (lower-cased words, no stemming, no stop words) for every other
-- language, so any text matches by its words. The first line is weighted A (a title, for ranking). A vector
-- past tsvector's 1 MB limit would fail the insert: the longest prefix that fits is indexed instead (positions
-- past 16,383 are clamped by PostgreSQL anyway).
CREATE FUNCTION document_search_config(language text) RETURNS regconfig
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN language = 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END;--> statement-breakpoint
CREATE FUNCTION document_search_vector(language text, body text, tokens text) RETURNS tsvector
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  config regconfig := document_search_config(language);
  head tsvector := setweight(to_tsvector(config, split_part(left(body, 200), E'\n', 1)), 'A');
  body_chars integer := length(body);
  token_chars integer := length(tokens);
BEGIN
  LOOP
    BEGIN
      RETURN head || to_tsvector(config, left(tokens, token_chars)) || to_tsvector(config, left(body, body_chars));
    EXCEPTION WHEN program_limit_exceeded THEN
      IF body_chars = 0 AND token_chars = 0 THEN RAISE; END IF;
      body_chars := body_chars / 2;
      token_chars := token_chars / 2;
    END;
  END LOOP;
END
$$;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "search_tokens" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (document_search_vector(language, text, search_tokens)) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "documents_search_idx" ON "documents" USING gin ("search_vector");