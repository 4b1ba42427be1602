package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Snapshot returns the exported API of the module rooted at root, one
// line per exported name, sorted:
//
//	pkg PATH, const Name Type = value
//	pkg PATH, var Name Type
//	pkg PATH, func Name(params) results
//	pkg PATH, method (T) Name(params) results
//	pkg PATH, type T struct
//	pkg PATH, type T struct, Field Type
//	pkg PATH, type T interface { M, N }
//	pkg PATH, type T interface, M(params) results
//
// It reads the source as written (no type checking), so a type is
// printed as its declaration spells it. Test files, package main,
// internal/ and testdata/ directories are left out, and so are files
// that do not build on linux/amd64, so that the list does not depend on
// the machine it is made on.
func Snapshot(root string) ([]string, error) {
	module, err := modulePath(root)
	if err != nil {
		return nil, err
	}
	var lines []string
	err = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			return nil
		}
		name := e.Name()
		if p != root && (name == "internal" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		if p != root {
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		pkgPath := module
		if rel != "." {
			pkgPath = path.Join(module, filepath.ToSlash(rel))
		}
		pl, err := packageAPI(p, pkgPath)
		if err != nil {
			return err
		}
		lines = append(lines, pl...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(lines)
	return slices.Compact(lines), nil
}

// modulePath reads the module line of root/go.mod.
func modulePath(root string) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("%s: no module line", filepath.Join(root, "go.mod"))
}

// linuxAMD64 decides which files build, the same on every machine.
var linuxAMD64 = func() build.Context {
	c := build.Default
	c.GOOS, c.GOARCH, c.CgoEnabled = "linux", "amd64", true
	return c
}()

// packageAPI lists the exported API of the package in dir; nothing for a
// directory without Go files or with package main.
func packageAPI(dir, pkgPath string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if ok, err := linuxAMD64.MatchFile(dir, name); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		if f.Name.Name == "main" {
			return nil, nil
		}
		files = append(files, f)
	}
	w := &writer{fset: fset, prefix: "pkg " + pkgPath + ", "}
	for _, f := range files {
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				w.funcDecl(decl)
			case *ast.GenDecl:
				w.genDecl(decl)
			}
		}
	}
	return w.lines, nil
}

// writer collects the lines of one package.
type writer struct {
	fset   *token.FileSet
	prefix string
	lines  []string
}

func (w *writer) add(format string, args ...any) {
	w.lines = append(w.lines, w.prefix+fmt.Sprintf(format, args...))
}

// expr prints an expression as gofmt would, on one line.
func (w *writer) expr(e ast.Expr) string {
	var b bytes.Buffer
	printer.Fprint(&b, w.fset, e)
	return strings.Join(strings.Fields(b.String()), " ")
}

func (w *writer) funcDecl(d *ast.FuncDecl) {
	if !d.Name.IsExported() {
		return
	}
	if d.Recv == nil {
		w.add("func %s%s%s", d.Name.Name, w.typeParams(d.Type.TypeParams), w.signature(d.Type))
		return
	}
	recv := d.Recv.List[0].Type
	star := ""
	if s, ok := recv.(*ast.StarExpr); ok {
		star, recv = "*", s.X
	}
	// Drop the receiver's type parameters: (T[K]) reads as (T).
	switch r := recv.(type) {
	case *ast.IndexExpr:
		recv = r.X
	case *ast.IndexListExpr:
		recv = r.X
	}
	id, ok := recv.(*ast.Ident)
	if !ok || !id.IsExported() {
		return // a method of an unexported type is not part of the API
	}
	w.add("method (%s%s) %s%s", star, id.Name, d.Name.Name, w.signature(d.Type))
}

// signature prints "(params) results" with the types only.
func (w *writer) signature(t *ast.FuncType) string {
	s := "(" + strings.Join(w.fieldTypes(t.Params), ", ") + ")"
	results := w.fieldTypes(t.Results)
	switch len(results) {
	case 0:
	case 1:
		s += " " + results[0]
	default:
		s += " (" + strings.Join(results, ", ") + ")"
	}
	return s
}

// fieldTypes lists a field list's types, one per name.
func (w *writer) fieldTypes(fl *ast.FieldList) []string {
	if fl == nil {
		return nil
	}
	var types []string
	for _, f := range fl.List {
		t := w.expr(f.Type)
		for range max(len(f.Names), 1) {
			types = append(types, t)
		}
	}
	return types
}

// typeParams prints "[K comparable, V any]", or "" for none.
func (w *writer) typeParams(fl *ast.FieldList) string {
	if fl == nil || len(fl.List) == 0 {
		return ""
	}
	var ps []string
	for _, f := range fl.List {
		for _, n := range f.Names {
			ps = append(ps, n.Name+" "+w.expr(f.Type))
		}
	}
	return "[" + strings.Join(ps, ", ") + "]"
}

func (w *writer) genDecl(d *ast.GenDecl) {
	var lastType ast.Expr // a const group's implicit repetition keeps its type
	for _, spec := range d.Specs {
		switch s := spec.(type) {
		case *ast.TypeSpec:
			w.typeSpec(s)
		case *ast.ValueSpec:
			if d.Tok == token.CONST {
				if s.Type != nil || len(s.Values) > 0 {
					lastType = s.Type
				}
				w.constSpec(s, lastType)
			} else {
				w.varSpec(s)
			}
		}
	}
}

func (w *writer) constSpec(s *ast.ValueSpec, typ ast.Expr) {
	for i, n := range s.Names {
		if !n.IsExported() {
			continue
		}
		line := "const " + n.Name
		if typ != nil {
			line += " " + w.expr(typ)
		}
		if i < len(s.Values) && !usesIota(s.Values[i]) {
			line += " = " + w.expr(s.Values[i])
		}
		w.add("%s", line)
	}
}

// usesIota reports whether e mentions iota: its value is its place in
// the group, which the type and the order of the lines already show.
func usesIota(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == "iota" {
			found = true
		}
		return !found
	})
	return found
}

func (w *writer) varSpec(s *ast.ValueSpec) {
	for i, n := range s.Names {
		if !n.IsExported() {
			continue
		}
		switch {
		case s.Type != nil:
			w.add("var %s %s", n.Name, w.expr(s.Type))
		case i < len(s.Values) && len(s.Names) == len(s.Values):
			w.add("var %s %s", n.Name, w.valueType(s.Values[i]))
		default:
			w.add("var %s", n.Name)
		}
	}
}

// valueType guesses the type of an untyped var's initial value from its
// form: errors.New and fmt.Errorf give error, T{...} gives T, &T{...}
// gives *T; otherwise the expression is printed.
func (w *writer) valueType(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.CallExpr:
		switch w.expr(e.Fun) {
		case "errors.New", "fmt.Errorf":
			return "error"
		}
	case *ast.CompositeLit:
		if e.Type != nil {
			return w.expr(e.Type)
		}
	case *ast.UnaryExpr:
		if cl, ok := e.X.(*ast.CompositeLit); ok && e.Op == token.AND && cl.Type != nil {
			return "*" + w.expr(cl.Type)
		}
	}
	return "= " + w.expr(e)
}

func (w *writer) typeSpec(s *ast.TypeSpec) {
	if !s.Name.IsExported() {
		return
	}
	name := s.Name.Name + w.typeParams(s.TypeParams)
	if s.Assign.IsValid() {
		w.add("type %s = %s", name, w.expr(s.Type))
		return
	}
	switch t := s.Type.(type) {
	case *ast.StructType:
		w.add("type %s struct", name)
		for _, f := range t.Fields.List {
			typ := w.expr(f.Type)
			if len(f.Names) == 0 { // embedded
				base := strings.TrimPrefix(typ, "*")
				if i := strings.LastIndexByte(base, '.'); i >= 0 {
					base = base[i+1:]
				}
				if i := strings.IndexByte(base, '['); i >= 0 {
					base = base[:i]
				}
				if ast.IsExported(base) {
					w.add("type %s struct, embedded %s", name, typ)
				}
				continue
			}
			for _, n := range f.Names {
				if n.IsExported() {
					w.add("type %s struct, %s %s", name, n.Name, typ)
				}
			}
		}
	case *ast.InterfaceType:
		var members []string
		for _, m := range t.Methods.List {
			if len(m.Names) == 0 { // an embedded interface or a type set
				e := w.expr(m.Type)
				members = append(members, e)
				w.add("type %s interface, %s", name, e)
				continue
			}
			for _, n := range m.Names {
				if !n.IsExported() {
					members = append(members, "unexported methods")
					continue
				}
				members = append(members, n.Name)
				w.add("type %s interface, %s%s", name, n.Name, w.signature(m.Type.(*ast.FuncType)))
			}
		}
		w.add("type %s interface { %s }", name, strings.Join(slices.Compact(members), ", "))
	default:
		w.add("type %s %s", name, w.expr(s.Type))
	}
}
