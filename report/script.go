package report

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
)

// pageScript sorts the tables and opens drill-downs; it is the page's only
// script.
//
//go:embed page.js
var pageScript string

// basePolicy is the page's Content-Security-Policy but for scripts:
// nothing is fetched, styles are inline, images and the font are data: URIs.
const basePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'"

// scriptSource is a CSP source expression that allows exactly script:
// 'sha256-…' of its bytes, so that the policy follows the script whatever
// it becomes and no other inline script (an injected one) can run.
func scriptSource(script string) string {
	sum := sha256.Sum256([]byte(script))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// contentSecurityPolicy is the page's policy, allowing pageScript.
func contentSecurityPolicy() string {
	return basePolicy + "; script-src " + scriptSource(pageScript)
}

// policyAttribute is the policy as the content attribute of the page's
// meta element, written out as is (html/template would escape its quotes;
// it holds nothing but the constants above and a base64 hash).
func policyAttribute() template.HTMLAttr {
	return template.HTMLAttr(`content="` + contentSecurityPolicy() + `"`)
}

// script is pageScript as the template inserts it: verbatim, so that the
// bytes the browser hashes are the bytes hashed here.
func script() template.JS { return template.JS(pageScript) }
