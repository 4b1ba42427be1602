package wire

import (
	"reflect"
	"strings"
	"testing"
)

// TestQueryOpsCoverTypes: every operation of Request99 that carries a query
// ID, and every reply of Response other than the session token's, has its
// row in queryOps, so that none is routed as a non-query.
func TestQueryOpsCoverTypes(t *testing.T) {
	rows := map[string]bool{}
	for _, op := range queryOps {
		rows[op.name] = true
	}
	req := reflect.TypeFor[Request99]()
	for i := range req.NumField() {
		f := req.Field(i)
		_, query := f.Type.Elem().FieldByName("QueryID")
		if query != rows[cborKey(f)] {
			t.Errorf("Request99.%s: query ID %v, row %v", f.Name, query, rows[cborKey(f)])
		}
		if query && (requestFields[i].reply == ReplyNone || requestFields[i].name != cborKey(f)) {
			t.Errorf("Request99.%s is not indexed: %+v", f.Name, requestFields[i])
		}
	}
	resp := reflect.TypeFor[Response]()
	for i := range resp.NumField() {
		key := cborKey(resp.Field(i))
		if name, ok := strings.CutSuffix(key, "_reply"); ok && key != "session_token_reply" && !rows[name] {
			t.Errorf("Response.%s has no row", resp.Field(i).Name)
		}
	}
	for k := ReplyKind(1); int(k) < numReplyKinds; k++ {
		if got := resp.Field(replyFields[k].field).Tag.Get("cbor"); got != k.String() {
			t.Errorf("%v is indexed to the field tagged %q", k, got)
		}
	}
}
