-- x86vm fleet: the store (PostgresFleetStore) — the record of each VM, and its blobs (checkpoints: output and snapshot) in
-- parts of at most 1 MiB, so that no row, no statement and no Orleans message ever holds a whole snapshot.
CREATE TABLE x86vm_vms
(
    id text NOT NULL PRIMARY KEY,
    record text NOT NULL
);

CREATE TABLE x86vm_blobs
(
    id text NOT NULL,
    name text NOT NULL,
    part integer NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (id, name, part)
);
