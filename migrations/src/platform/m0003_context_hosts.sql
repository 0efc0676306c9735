-- A custom host may open one of its tenant's contexts (familles.mairie.fr → "familles").
-- Text, like dossiers' context codes: the tenant's schema holds the contexts.
ALTER TABLE platform.tenant_hosts ADD COLUMN context_code text;
