-- The role a resource works under at the service desk (Autotask's
-- ResourceServiceDeskRoles, the default one): Autotask wants it with every
-- time entry (`roleID`) and with a ticket's primary resource
-- (`assignedResourceRoleID`). NULL until the sync has read it.
ALTER TABLE resources ADD COLUMN psa_role_id INTEGER;
