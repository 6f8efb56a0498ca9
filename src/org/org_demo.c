/* org_demo.c: the demo organisation: the seed articles' departments and their people. */
#include "base/acc.h"
#include "org/org.h"

/* The seed articles' departments, each with a head, point person, deputy, members. */
static const struct {
    const char *name;
    const char *people[6][2]; /* head, point person, deputy, three members: name, e-mail */
} demo_departments[] = {
    {"Finance",
     {{"Fiona Clarke", "fiona.clarke"},
      {"Farid Haddad", "farid.haddad"},
      {"Freya Nilsen", "freya.nilsen"},
      {"Felix Grant", "felix.grant"},
      {"Fatima Bello", "fatima.bello"},
      {"Frank Moreau", "frank.moreau"}}},
    {"Sales",
     {{"Samuel Reed", "samuel.reed"},
      {"Sofia Marques", "sofia.marques"},
      {"Stefan Kowalski", "stefan.kowalski"},
      {"Sara Lindqvist", "sara.lindqvist"},
      {"Sean O'Brien", "sean.obrien"},
      {"Simone Rossi", "simone.rossi"}}},
    {"Customer Service",
     {{"Carmen Ortiz", "carmen.ortiz"},
      {"Colin Baker", "colin.baker"},
      {"Chloe Dubois", "chloe.dubois"},
      {"Chidi Okafor", "chidi.okafor"},
      {"Clara Svensson", "clara.svensson"},
      {"Connor Walsh", "connor.walsh"}}},
    {"HR",
     {{"Hannah Weber", "hannah.weber"},
      {"Hugo Lambert", "hugo.lambert"},
      {"Helen Park", "helen.park"},
      {"Hamza Yilmaz", "hamza.yilmaz"},
      {"Holly Evans", "holly.evans"},
      {"Henrik Berg", "henrik.berg"}}},
    {"IT",
     {{"Ingrid Larsen", "ingrid.larsen"},
      {"Ivan Petrov", "ivan.petrov"},
      {"Isabel Santos", "isabel.santos"},
      {"Imran Qureshi", "imran.qureshi"},
      {"Iris Novak", "iris.novak"},
      {"Isaac Cohen", "isaac.cohen"}}},
    {"Production",
     {{"Paul Fischer", "paul.fischer"},
      {"Priya Nair", "priya.nair"},
      {"Pedro Alvarez", "pedro.alvarez"},
      {"Petra Horvat", "petra.horvat"},
      {"Patrick Doyle", "patrick.doyle"},
      {"Pia Schmidt", "pia.schmidt"}}},
    {"Marketing",
     {{"Maya Chen", "maya.chen"},
      {"Marco Bianchi", "marco.bianchi"},
      {"Miriam Levy", "miriam.levy"},
      {"Mateo Garcia", "mateo.garcia"},
      {"Mia Johansson", "mia.johansson"},
      {"Martin Keller", "martin.keller"}}},
    {"Storage & Transportation",
     {{"Thomas Wright", "thomas.wright"},
      {"Tara Singh", "tara.singh"},
      {"Tobias Meyer", "tobias.meyer"},
      {"Teresa Costa", "teresa.costa"},
      {"Tariq Hassan", "tariq.hassan"},
      {"Tessa Jansen", "tessa.jansen"}}},
};

static int demo_department(struct store *st, const struct org_actor *sys, int idx, const char *hash,
                           struct acc_arena *arena, struct acc_err *err)
{
    static const enum org_role roles[6] = {ORG_ROLE_HEAD,         ORG_ROLE_POINT_PERSON,
                                           ORG_ROLE_POINT_PERSON, ORG_ROLE_MEMBER,
                                           ORG_ROLE_MEMBER,       ORG_ROLE_MEMBER};
    struct org_department_input din = {.has_name = true, .name = demo_departments[idx].name};
    struct org_department d;
    int64_t ids[6];
    int rc;

    rc = org_department_create(st, sys, &din, arena, &d, err);
    for (int i = 0; !rc && i < 6; i++) {
        struct org_person_input pin = {
            .has_name = true,
            .has_email = true,
            .has_department = true,
            .has_role = true,
            .name = demo_departments[idx].people[i][0],
            .email = acc_arena_printf(arena, "%s@example.org", demo_departments[idx].people[i][1]),
            .department_id = d.id,
            .role = roles[i],
            .password_hash = hash};
        struct org_person p;

        rc = org_person_create(st, sys, &pin, arena, &p, err);
        ids[i] = p.id;
    }
    if (!rc) {
        struct org_department_input up = {.has_head = true,
                                          .has_point_person = true,
                                          .has_deputy = true,
                                          .head_id = ids[0],
                                          .point_person_id = ids[1],
                                          .deputy_id = ids[2]};

        rc = org_department_update(st, sys, d.id, &up, arena, &d, err);
    }
    return rc;
}

int org_demo_populate(struct store *st, const struct org_actor *who, const char *password_hash,
                      struct acc_arena *arena, struct acc_err *err)
{
    struct org_person_input admin = {.has_name = true,
                                     .has_email = true,
                                     .has_role = true,
                                     .name = "Alex Admin",
                                     .email = ORG_DEMO_ADMIN_EMAIL,
                                     .role = ORG_ROLE_ADMIN,
                                     .password_hash = password_hash};
    struct org_person p;
    int rc;

    rc = org_person_create(st, who, &admin, arena, &p, err);
    for (int i = 0; !rc && i < (int)ACC_ARRAY_LEN(demo_departments); i++)
        rc = demo_department(st, who, i, password_hash, arena, err);
    return rc;
}
