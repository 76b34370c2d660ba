package fn

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Names of data services in clouds and databases. Clouds limit names in length and alphabet, and
// some names are unique across a whole account or the world, so each is derived from the platform's
// prefix, the app's namespace and its name, and never changes for the life of the app.

// cloudName is a name unique in a whole cloud account or globally: `<prefix>-<namespace>-<app>`
// plus a suffix, within max characters. Namespace and app are DNS labels and the prefix is checked,
// so the result is lowercase letters, digits and hyphens.
func (c *dataContext) cloudName(suffix string, maxLen int) string {
	parts := []string{c.prefix(), c.a.namespace, c.a.name}
	if suffix != "" {
		parts = append(parts, suffix)
	}
	return shorten(strings.Join(parts, "-"), maxLen)
}

// alnumName is cloudName without hyphens, for Azure storage accounts (3-24 lowercase alphanumerics).
func (c *dataContext) alnumName(maxLen int) string {
	return shortenJoined(strings.ReplaceAll(c.prefix()+c.a.namespace+c.a.name, "-", ""), maxLen, "")
}

// shorten fits a hyphenated name into maxLen: see shortenJoined.
func shorten(s string, maxLen int) string { return shortenJoined(s, maxLen, "-") }

// shortenJoined fits s into maxLen. A name too long keeps its start and ends in sep and a hash of
// the whole, so it stays unique and never changes; a hyphen is never left before sep.
func shortenJoined(s string, maxLen int, sep string) string {
	if len(s) <= maxLen {
		return s
	}
	h := shortHash(s)
	return strings.TrimRight(s[:maxLen-len(h)-len(sep)], "-") + sep + h
}

// shortHash is 8 hex characters of s's SHA-256: a stable, DNS-safe stand-in for an id that is not.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:8]
}

// sqlName is the app's name as a database or user name: letters, digits and underscores.
func sqlName(app string) string { return strings.ReplaceAll(app, "-", "_") }

func isDNSLabel(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}
