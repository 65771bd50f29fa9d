package qingqian

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// auditCodes walks the sources that write the trail and returns every action code they can
// write (and the objects they concern): the literal ones given to audit, auditBound and RecordAccess or assigned to a variable
// named action, and, for a code built as "prefix."+value, the prefix (expanded by the caller).
func auditCodes(t *testing.T) (codes, prefixes, entities map[string]string) {
	t.Helper()
	codes, prefixes, entities = map[string]string{}, map[string]string{}, map[string]string{}
	fset := token.NewFileSet()
	for _, dir := range []string{"sqldb", "web", "cmd/qingqian", "demo"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			take := func(e ast.Expr) {
				switch x := e.(type) {
				case *ast.BasicLit:
					if s, err := strconv.Unquote(x.Value); err == nil && x.Kind == token.STRING {
						codes[s] = fset.Position(x.Pos()).String()
					}
				case *ast.BinaryExpr:
					if l, ok := x.X.(*ast.BasicLit); ok && l.Kind == token.STRING {
						s, _ := strconv.Unquote(l.Value)
						prefixes[s] = fset.Position(x.Pos()).String()
					}
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.CallExpr:
					sel, ok := x.Fun.(*ast.SelectorExpr)
					if !ok || len(x.Args) < 2 {
						return true
					}
					switch sel.Sel.Name {
					case "audit", "auditBound", "RecordAccess":
						take(x.Args[1])
						if l, ok := x.Args[2].(*ast.BasicLit); ok && l.Kind == token.STRING {
							s, _ := strconv.Unquote(l.Value)
							entities[s] = fset.Position(l.Pos()).String()
						}
					}
				case *ast.AssignStmt:
					for i, l := range x.Lhs {
						if id, ok := l.(*ast.Ident); ok && id.Name == "action" && i < len(x.Rhs) {
							take(x.Rhs[i])
						}
					}
				}
				return true
			})
		}
	}
	return codes, prefixes, entities
}

// Every action the trail can hold reads in Chinese: the literal codes in the sources, and each
// code built from an enum (ledger entries, clue steps, sign-off steps, case changes).
func TestAuditActionLabels(t *testing.T) {
	codes, prefixes, entities := auditCodes(t)
	for e, at := range entities {
		if AuditEntityNames[e] == "" {
			t.Errorf("%s: object %q has no Chinese name", at, e)
		}
	}
	if len(codes) < 40 {
		t.Fatalf("only %d action codes found in the sources: %v", len(codes), codes)
	}
	expand := map[string][]string{}
	for k := range EntryKindNames {
		expand["entry."] = append(expand["entry."], string(k))
	}
	for k := range ClueAllowed {
		expand["clue."] = append(expand["clue."], string(k))
	}
	for k := range SignActionNames {
		expand["submission."] = append(expand["submission."], string(k))
		expand["campaign."] = append(expand["campaign."], string(k))
	}
	expand["case."] = CaseChanges
	expand["creditor.change_"] = []string{"approve", "reject"}
	expand["letter."] = []string{"reply", "resolve", "public_reply"}
	for p, at := range prefixes {
		if len(expand[p]) == 0 {
			t.Errorf("%s: action code built from %q: say here which values it takes", at, p)
		}
		for _, v := range expand[p] {
			codes[p+v] = at
		}
	}
	seen := map[string]string{}
	for code, at := range codes {
		l := AuditAction(code).Label()
		if l == "" || l == "其他操作" || strings.ContainsAny(l, "abcdefghijklmnopqrstuvwxyz_.") {
			t.Errorf("%s: action %q has no Chinese label (%q)", at, code, l)
		}
		if o, ok := seen[l]; ok {
			t.Errorf("actions %q and %q are both labelled %s", o, code, l)
		}
		seen[l] = code
	}
	for code := range AuditActionNames {
		if _, ok := codes[code]; !ok {
			t.Errorf("label for %q, which nothing writes", code)
		}
	}
	if got := AuditAction("no.such").Label(); got != "其他操作" {
		t.Errorf("an unknown code reads %q", got)
	}
}
