-- A commune leaving the syndicate is deleted once `deletion_due` has passed (guichet tenant
-- delete); until then it is suspended, and reactivating it cancels the deletion.
ALTER TABLE platform.tenants ADD COLUMN deletion_due timestamptz;

-- Its store publications stay, under the name it had, for the communes that imported them.
ALTER TABLE platform.store_entries ALTER COLUMN publisher_tenant_id DROP NOT NULL;
ALTER TABLE platform.store_entries DROP CONSTRAINT store_entries_publisher_tenant_id_fkey;
ALTER TABLE platform.store_entries ADD CONSTRAINT store_entries_publisher_tenant_id_fkey
    FOREIGN KEY (publisher_tenant_id) REFERENCES platform.tenants (id) ON DELETE SET NULL;
