package backend

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	// The pure-Go SQLite driver, registered as "sqlite".
	_ "modernc.org/sqlite"
)

// SchemaVersion is the version of the database schema this package writes,
// kept in PRAGMA user_version.
const SchemaVersion = 1

// ErrSchemaTooNew is returned by Open for a database written by a newer
// version of the backend, which this one must not touch.
var ErrSchemaTooNew = errors.New("database schema is newer than this backend supports")

// busyTimeout is how long a connection waits for another process's write
// transaction before giving up; writes are short, so reaching it means a
// stuck process, not contention.
const busyTimeout = 10 * time.Second

// migrations[i] moves the schema from version i to i+1. Each runs in the
// same transaction as the user_version bump, so a crash leaves either the
// old or the new schema.
var migrations = []string{
	`
CREATE TABLE domains (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	status        TEXT NOT NULL CHECK (status IN ('pending', 'active')),
	mx_verified   INTEGER NOT NULL DEFAULT 0,
	spf_verified  INTEGER NOT NULL DEFAULT 0,
	dkim_verified INTEGER NOT NULL DEFAULT 0,
	seen_mx       INTEGER NOT NULL DEFAULT 0,
	seen_spf      INTEGER NOT NULL DEFAULT 0,
	seen_dkim1    INTEGER NOT NULL DEFAULT 0,
	seen_dkim2    INTEGER NOT NULL DEFAULT 0,
	verified_at   INTEGER,
	created_at    INTEGER NOT NULL
);
CREATE INDEX domains_by_created ON domains (created_at);

CREATE TABLE emails (
	id         TEXT PRIMARY KEY,
	domain_id  TEXT NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
	local_part TEXT NOT NULL,
	is_primary INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	UNIQUE (domain_id, local_part)
);
CREATE INDEX emails_by_domain ON emails (domain_id, created_at);
CREATE UNIQUE INDEX emails_one_primary ON emails (domain_id) WHERE is_primary = 1;

CREATE TABLE idempotency (
	key          TEXT PRIMARY KEY,
	request_hash BLOB NOT NULL,
	status       INTEGER NOT NULL,
	body         BLOB NOT NULL,
	created_at   INTEGER NOT NULL
);
CREATE INDEX idempotency_by_created ON idempotency (created_at);
`,
}

// openDB opens (creating if needed) the SQLite file at path and brings its
// schema up to SchemaVersion.
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("open backend database: the path is empty")
	}
	// The driver splits its DSN at the first '?'.
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("open backend database %q: the path must not contain '?'", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open backend database %q: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("create the folder of the backend database: %w", err)
	}
	// Create the file ourselves: SQLite would create it 0644, and it holds the
	// organization's data. SQLite gives the -wal and -shm files the same mode.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create the backend database: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("create the backend database: %w", err)
	}

	// synchronous=FULL: a commit the API has answered survives a power cut,
	// so Terraform state never names an object the file lost (about 0.2 ms
	// more per write, and writes are rare).
	// busy_timeout is applied first by the driver so that the other pragmas
	// wait for a process holding the file instead of failing. _txlock=immediate
	// makes every transaction take the write lock at BEGIN: a deferred one that
	// reads and then writes can fail with SQLITE_BUSY at once when another
	// process wrote in between, which no timeout cures.
	dsn := abs + "?_pragma=" + fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()) +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open backend database: %w", err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(time.Minute)
	if err := migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open backend database %s: %w", abs, err)
	}
	return db, nil
}

func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read the schema version: %w", err)
	}
	return v, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	// The common case, a file at the current version, takes no write lock, so
	// opening stays quick while another process writes.
	v, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	if v == len(migrations) {
		return nil
	}
	if v > len(migrations) {
		return fmt.Errorf("%w: the file is at version %d, this backend knows up to %d", ErrSchemaTooNew, v, len(migrations))
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate the schema: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	// Another process may have migrated while this one waited for the lock.
	if v, err = schemaVersion(ctx, tx); err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("%w: the file is at version %d, this backend knows up to %d", ErrSchemaTooNew, v, len(migrations))
	}
	for ; v < len(migrations); v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrate the schema from version %d: %w", v, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
		return fmt.Errorf("record the schema version: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate the schema: %w", err)
	}
	return nil
}

// newID returns prefix followed by 26 random lowercase letters and digits
// (130 bits), as api.md describes IDs.
func newID(prefix string) string {
	return prefix + strings.ToLower(rand.Text())
}
