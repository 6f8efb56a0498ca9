/* org_fixture.h: unit-test set-up of an organisation: departments, people and actors. */
#ifndef ACCORD_TESTS_UNIT_ORG_FIXTURE_H
#define ACCORD_TESTS_UNIT_ORG_FIXTURE_H

#include "org/org.h"
#include "t.h"

/* A department created by the system; its id (a failed check otherwise). */
static inline int64_t fx_department(struct store *st, struct acc_arena *arena, const char *name)
{
    struct org_actor sys = org_actor_system("test");
    struct org_department_input in = {.has_name = true, .name = name};
    struct org_department d = {0};
    struct acc_err err;

    T_EQ_INT(org_department_create(st, &sys, &in, arena, &d, &err), ACC_OK);
    return d.id;
}

/* A person created by the system; their id. */
static inline int64_t fx_person(struct store *st, struct acc_arena *arena, const char *name,
                                const char *email, int64_t dept, enum org_role role)
{
    struct org_actor sys = org_actor_system("test");
    struct org_person_input in = {.has_name = true,
                                  .has_email = true,
                                  .has_department = true,
                                  .has_role = true,
                                  .name = name,
                                  .email = email,
                                  .department_id = dept,
                                  .role = role};
    struct org_person p = {0};
    struct acc_err err;

    T_EQ_INT(org_person_create(st, &sys, &in, arena, &p, &err), ACC_OK);
    return p.id;
}

/* An actor as the HTTP layer builds it from a signed-in person. */
static inline struct org_actor fx_actor(int64_t person, int64_t dept, enum org_role role)
{
    struct org_actor a = {person, dept, role, "test", false};

    return a;
}

#endif
