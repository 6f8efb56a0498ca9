/* org_test.c: departments and people: validation, who may do what, officers, audit records. */
#include "base/acc.h"
#include "base/log.h"
#include "org/org.h"
#include "store/store.h"
#include "org_fixture.h"
#include "t.h"

static struct store *st;
static struct acc_arena *arena;
static struct org_actor sys;
static int64_t fin, sales, fin_head, fin_point, fin_member, sales_member;

static int64_t count(const char *sql)
{
    struct acc_err err;
    int64_t n = -1;

    store_query_int(st, sql, NULL, 0, &n, &err);
    return n;
}

static void setup(void)
{
    struct acc_err err;

    store_open(":memory:", &st, &err);
    store_migrate(st, NULL, &err);
    arena = acc_arena_new();
    sys = org_actor_system("test");
    fin = fx_department(st, arena, "Finance");
    sales = fx_department(st, arena, "Sales");
    fin_head = fx_person(st, arena, "Fiona", "Fiona@Example.org", fin, ORG_ROLE_HEAD);
    fin_point = fx_person(st, arena, "Farid", "farid@example.org", fin, ORG_ROLE_POINT_PERSON);
    fin_member = fx_person(st, arena, "Felix", "felix@example.org", fin, ORG_ROLE_MEMBER);
    sales_member = fx_person(st, arena, "Sara", "sara@example.org", sales, ORG_ROLE_MEMBER);
}

static void test_email_normalised_and_unique(void)
{
    struct org_person p;
    struct acc_err err;
    struct org_person_input in = {.has_name = true,
                                  .has_email = true,
                                  .has_department = true,
                                  .has_role = true,
                                  .name = "Dup",
                                  .email = " FIONA@example.ORG ",
                                  .department_id = fin,
                                  .role = ORG_ROLE_MEMBER};

    T_EQ_INT(org_person_get_by_email(st, "fiona@example.org", arena, &p, &err), ACC_OK);
    T_EQ_STR(p.email, "fiona@example.org");
    T_EQ_INT(org_person_create(st, &sys, &in, arena, &p, &err), ACC_ECONFLICT);
    T_EQ_STR(err.field, "/email");
}

static void test_bad_input_rejected(void)
{
    static const char *bad_emails[] = {"",        "no-at-sign", "@example.org",  "a@b",
                                       "a b@c.d", "a@b@c.d",    "x@example.org."};
    char long_name[ORG_NAME_MAX + 2];
    struct org_department_input din = {.has_name = true, .name = long_name};
    struct org_department d;
    struct acc_err err;
    const char *out;
    enum org_role r;

    for (size_t i = 0; i < ACC_ARRAY_LEN(bad_emails); i++) {
        T_EQ_INT(org_email_normalize(bad_emails[i], arena, &out, &err), ACC_EINVAL);
        T_EQ_STR(err.field, "/email");
    }
    memset(long_name, 'x', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    T_EQ_INT(org_department_create(st, &sys, &din, arena, &d, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/name");
    din.name = " padded";
    T_EQ_INT(org_department_create(st, &sys, &din, arena, &d, &err), ACC_EINVAL);
    din.name = "bad\xff";
    T_EQ_INT(org_department_create(st, &sys, &din, arena, &d, &err), ACC_EINVAL);
    din.name = "FINANCE";
    T_EQ_INT(org_department_create(st, &sys, &din, arena, &d, &err), ACC_ECONFLICT);
    T_EQ_INT(org_role_parse("boss", &r, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/role");
}

static void test_officers_must_belong(void)
{
    struct org_department_input in = {0};
    struct org_department d;
    struct acc_err err;

    in.has_head = true;
    in.head_id = fin_point; /* not a head */
    T_EQ_INT(org_department_update(st, &sys, fin, &in, arena, &d, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/head_id");
    in.head_id = fin_head;
    in.has_point_person = true;
    in.point_person_id = sales_member; /* another department */
    T_EQ_INT(org_department_update(st, &sys, fin, &in, arena, &d, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/point_person_id");
    in.point_person_id = fin_point;
    in.has_deputy = true;
    in.deputy_id = fin_point;
    T_EQ_INT(org_department_update(st, &sys, fin, &in, arena, &d, &err), ACC_EINVAL);
    T_EQ_STR(err.field, "/deputy_id");
    in.deputy_id = fin_member;
    T_EQ_INT(org_department_update(st, &sys, fin, &in, arena, &d, &err), ACC_OK);
    T_EQ_STR(d.head.name, "Fiona");
    T_EQ_STR(d.point_person.name, "Farid");
    T_EQ_STR(d.deputy.name, "Felix");
    T_EQ_INT(d.member_count, 3);
}

static void test_head_rights(void)
{
    struct org_actor head = {fin_head, fin, ORG_ROLE_HEAD, "test", false};
    struct org_actor member = {fin_member, fin, ORG_ROLE_MEMBER, "test", false};
    struct org_department_input din = {.has_deputy = true, .deputy_id = 0};
    struct org_person_input pin = {.has_role = true, .role = ORG_ROLE_ADMIN};
    struct org_department d;
    struct org_person p;
    struct acc_err err;

    T_EQ_INT(org_department_update(st, &head, fin, &din, arena, &d, &err), ACC_OK);
    T_EQ_INT(d.deputy.id, 0);
    T_EQ_INT(org_department_update(st, &head, sales, &din, arena, &d, &err), ACC_EPERM);
    T_EQ_INT(org_department_update(st, &member, fin, &din, arena, &d, &err), ACC_EPERM);
    din.has_name = true;
    din.name = "Money";
    T_EQ_INT(org_department_update(st, &head, fin, &din, arena, &d, &err), ACC_EPERM);
    T_EQ_STR(err.field, "/name");
    /* A head may not make anyone an administrator, nor touch another department's people. */
    T_EQ_INT(org_person_update(st, &head, fin_member, &pin, arena, &p, &err), ACC_EPERM);
    pin.role = ORG_ROLE_POINT_PERSON;
    T_EQ_INT(org_person_update(st, &head, fin_member, &pin, arena, &p, &err), ACC_OK);
    T_EQ_INT(p.role, ORG_ROLE_POINT_PERSON);
    T_EQ_INT(org_person_update(st, &head, sales_member, &pin, arena, &p, &err), ACC_EPERM);
    pin = (struct org_person_input){.has_department = true, .department_id = sales};
    T_EQ_INT(org_person_update(st, &head, fin_member, &pin, arena, &p, &err), ACC_EPERM);
    T_EQ_STR(err.field, "/department_id");
}

static void test_deactivate_not_delete_and_officer_kept(void)
{
    struct org_person_input in = {.has_active = true, .active = false};
    struct org_person_filter f = {.department_id = fin, .active = 1, .limit = 50};
    struct org_person *items;
    struct org_person p;
    struct acc_err err;
    bool more;
    int n;

    T_EQ_INT(org_person_update(st, &sys, fin_member, &in, arena, &p, &err), ACC_OK);
    T_OK(!p.active);
    T_EQ_INT(count("SELECT COUNT(*) FROM person"), 4);
    T_EQ_INT(org_person_list(st, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 2);
    /* The head of Finance cannot move away while heading it. */
    in = (struct org_person_input){.has_department = true, .department_id = sales};
    T_EQ_INT(org_person_update(st, &sys, fin_head, &in, arena, &p, &err), ACC_ECONFLICT);
}

static void test_list_pages_and_search(void)
{
    struct org_person_filter f = {.active = -1, .limit = 2};
    struct org_person *items;
    struct acc_err err;
    bool more;
    int n, seen = 0;

    do {
        T_EQ_INT(org_person_list(st, &f, arena, &items, &n, &more, &err), ACC_OK);
        seen += n;
        if (n)
            f.after_id = items[n - 1].id;
    } while (more);
    T_EQ_INT(seen, 4);
    f = (struct org_person_filter){.active = -1, .q = "SAR", .limit = 10};
    T_EQ_INT(org_person_list(st, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 1);
    T_EQ_STR(items[0].name, "Sara");
}

static void test_every_change_audited(void)
{
    int64_t before = count("SELECT COUNT(*) FROM audit");
    struct org_department_input in = {.has_name = true, .name = "Finance & Control"};
    struct org_department d;
    struct acc_err err;
    struct store_stmt *stmt;
    bool row;

    T_OK(before >= 6);
    T_EQ_INT(org_department_update(st, &sys, fin, &in, arena, &d, &err), ACC_OK);
    T_EQ_INT(count("SELECT COUNT(*) FROM audit"), before + 1);
    store_exec(st, "SELECT before_json, after_json, action FROM audit ORDER BY id DESC LIMIT 1",
               NULL, 0, &stmt, &err);
    store_step(stmt, &row, &err);
    T_OK(strstr(store_col_text(stmt, 0), "\"name\":\"Finance\"") != NULL);
    T_OK(strstr(store_col_text(stmt, 1), "\"name\":\"Finance & Control\"") != NULL);
    T_EQ_STR(store_col_text(stmt, 2), "test");
    store_finish(stmt);
}

static void test_officer_deactivation_refused_and_legacy_inactive_tolerated(void)
{
    struct org_person_input off = {.has_active = true, .active = false};
    struct org_department_input in = {.has_point_person = true, .point_person_id = fin_point};
    struct org_department_input rename = {.has_name = true, .name = "Finance"};
    struct store_arg args[] = {SA_INT(fin_point)};
    struct org_department d;
    struct org_person p;
    struct acc_err err;

    T_EQ_INT(org_department_update(st, &sys, fin, &in, arena, &d, &err), ACC_OK);
    T_EQ_INT(org_person_update(st, &sys, fin_point, &off, arena, &p, &err), ACC_ECONFLICT);
    T_EQ_STR(err.field, "/active");
    /* Data from before that rule: an inactive officer blocks only naming them again. */
    T_EQ_INT(store_exec(st, "UPDATE person SET active = 0 WHERE id = ?", args, 1, NULL, &err),
             ACC_OK);
    T_EQ_INT(org_department_update(st, &sys, fin, &in, arena, &d, &err), ACC_EINVAL);
    T_EQ_INT(org_department_update(st, &sys, fin, &rename, arena, &d, &err), ACC_OK);
    T_EQ_INT(d.point_person.id, fin_point);
}

static void test_search_escapes_pattern_characters(void)
{
    struct org_person_filter f = {.active = -1, .q = "%", .limit = 10};
    struct org_person *items;
    struct acc_err err;
    bool more;
    int n = -1;

    T_EQ_INT(org_person_list(st, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 0);
    f.q = "_";
    T_EQ_INT(org_person_list(st, &f, arena, &items, &n, &more, &err), ACC_OK);
    T_EQ_INT(n, 0);
}

int main(void)
{
    acc_log_set_quiet(true);
    setup();
    T_RUN(test_email_normalised_and_unique);
    T_RUN(test_bad_input_rejected);
    T_RUN(test_officers_must_belong);
    T_RUN(test_head_rights);
    T_RUN(test_deactivate_not_delete_and_officer_kept);
    T_RUN(test_list_pages_and_search);
    T_RUN(test_every_change_audited);
    T_RUN(test_officer_deactivation_refused_and_legacy_inactive_tolerated);
    T_RUN(test_search_escapes_pattern_characters);
    acc_arena_free(arena);
    store_close(st);
    return t_done();
}
