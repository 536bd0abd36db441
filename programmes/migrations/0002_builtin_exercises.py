"""The built-in exercise library shared by every clinic (read-only).

The data lives here, not in app code, so this migration keeps working however
the models change later.
"""

from django.db import migrations

BREATHE = "Breathe out slowly and keep breathing through the hold; don't hold your breath."
BREATHE_REPS = "Breathe out as you do the effortful part, in as you return; keep it unhurried."

BUILT_IN_EXERCISES = (
    # Supported: lying or on hands and knees, the easiest context to start from.
    {
        "name": "Abdominal Curl (isometric)",
        "kind": "isometric",
        "position": "supported",
        "body_region": "trunk",
        "equipment": "mat",
        "instructions": (
            "Lie on your back with your knees bent and feet flat. Lift your head and "
            "shoulders just a little and rest your hands on the front of your knees. "
            "Press your hands into your knees while your knees press back, so nothing moves. "
            "Hold, then relax down."
        ),
        "what_to_feel": "Your tummy muscles working lightly; your neck stays relaxed.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Angry Cat / Happy Cat",
        "kind": "dynamic",
        "position": "supported",
        "body_region": "lower_back",
        "equipment": "mat",
        "instructions": (
            "Kneel on all fours with hands under shoulders and knees under hips. Slowly "
            "round your back up towards the ceiling, tucking your tail under. Then slowly "
            "let your back dip and your tail lift. Stay in the range that feels comfortable."
        ),
        "what_to_feel": "At the end of the movement, the muscles along your spine working.",
        "breathing_cue": BREATHE_REPS,
    },
    {
        "name": "Supported Abdominal Brace",
        "kind": "isometric",
        "position": "supported",
        "body_region": "trunk",
        "equipment": "mat",
        "instructions": (
            "Lie on your back with knees bent and feet flat. Gently tighten your tummy as if "
            "getting ready for a light poke, without flattening or arching your back. "
            "Keep the tension soft and steady, then let go."
        ),
        "what_to_feel": "A light, even tightening around your waist, like a wide belt.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Glute Bridge Hold",
        "kind": "isometric",
        "position": "supported",
        "body_region": "hips",
        "equipment": "mat",
        "instructions": (
            "Lie on your back with knees bent and feet hip-width apart. Press through your "
            "heels and lift your hips until your body is in a line from knees to shoulders, "
            "or lower if that is more comfortable. Hold still, then lower slowly."
        ),
        "what_to_feel": "Your buttocks and the backs of your thighs working; not your lower back.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Bird Dog Hold",
        "kind": "isometric",
        "position": "supported",
        "body_region": "lower_back",
        "equipment": "mat",
        "instructions": (
            "Kneel on all fours. Keeping your back level, slide one leg straight back and, "
            "if comfortable, lift the opposite arm forward. Hold without letting your back "
            "sag or twist, then return and swap sides."
        ),
        "what_to_feel": "The muscles along your spine and your buttock on the leg side.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Side Plank on Knees",
        "kind": "isometric",
        "position": "supported",
        "body_region": "trunk",
        "equipment": "mat",
        "instructions": (
            "Lie on your side with knees bent and your elbow under your shoulder. Lift your "
            "hips so your body is in a line from knees to head. Hold, lower gently, then "
            "do the other side."
        ),
        "what_to_feel": "The side of your waist nearest the floor working.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Dead Bug Hold",
        "kind": "isometric",
        "position": "supported",
        "body_region": "trunk",
        "equipment": "mat",
        "instructions": (
            "Lie on your back and lift your knees above your hips with knees bent, arms "
            "reaching to the ceiling. Keep your lower back resting on the floor and hold "
            "the position. To make it easier, keep one foot on the floor."
        ),
        "what_to_feel": "Your deep tummy muscles keeping your back still against the floor.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Prone Back Extension Hold",
        "kind": "isometric",
        "position": "supported",
        "body_region": "lower_back",
        "equipment": "mat",
        "instructions": (
            "Lie on your front with a pillow under your tummy if you like, arms by your "
            "sides. Lift your head and chest only a little from the floor, looking down. "
            "Hold, then lower slowly."
        ),
        "what_to_feel": "The muscles either side of your spine working gently.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Glute Bridge",
        "kind": "dynamic",
        "position": "supported",
        "body_region": "hips",
        "equipment": "mat",
        "instructions": (
            "Lie on your back with knees bent. Slowly lift your hips, pause briefly at the "
            "top and lower them back down with control. Only lift as high as is comfortable."
        ),
        "what_to_feel": "Your buttocks doing the lifting.",
        "breathing_cue": BREATHE_REPS,
    },
    {
        "name": "Bird Dog",
        "kind": "dynamic",
        "position": "supported",
        "body_region": "lower_back",
        "equipment": "mat",
        "instructions": (
            "Kneel on all fours. Slowly reach one leg back and the opposite arm forward, "
            "keeping your back level, then bring them back in. Alternate sides."
        ),
        "what_to_feel": "Your back and buttock muscles keeping you steady as you move.",
        "breathing_cue": BREATHE_REPS,
    },
    # Sitting.
    {
        "name": "Seated Trunk Rotation (isometric)",
        "kind": "isometric",
        "position": "sitting",
        "body_region": "trunk",
        "equipment": "chair",
        "instructions": (
            "Sit tall on a chair with your feet flat. Put both hands against the outside of "
            "one knee. Try to turn your upper body towards that side while your knee pushes "
            "back against your hands, so there is no movement. Hold, relax, then do the "
            "other side."
        ),
        "what_to_feel": "Your tummy and back muscles working together.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Seated Trunk Rotation (cable)",
        "kind": "dynamic",
        "position": "sitting",
        "body_region": "trunk",
        "equipment": "cable",
        "instructions": (
            "Sit side-on to a cable machine set to a light weight, holding the handle with "
            "both hands in front of your chest. Slowly turn your upper body away from the "
            "machine and back again. Keep your hips still throughout."
        ),
        "what_to_feel": "Your tummy and back muscles turning your trunk.",
        "breathing_cue": BREATHE_REPS,
    },
    {
        "name": "Seated Abdominal Brace",
        "kind": "isometric",
        "position": "sitting",
        "body_region": "trunk",
        "equipment": "chair",
        "instructions": (
            "Sit tall on a firm chair with your feet flat. Gently tighten your tummy all "
            "the way around your waist without slumping or leaning back. Keep your "
            "shoulders relaxed and hold."
        ),
        "what_to_feel": "A light, even tightening around your waist while you sit upright.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Seated Pallof Press Hold",
        "kind": "isometric",
        "position": "sitting",
        "body_region": "trunk",
        "equipment": "band",
        "instructions": (
            "Sit side-on to a band fixed at chest height. Hold it with both hands at your "
            "chest, then push your hands straight out in front. Stop the band from turning "
            "you, hold, then bring your hands back in."
        ),
        "what_to_feel": "Your tummy muscles resisting the twist.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Seated Knee Press",
        "kind": "isometric",
        "position": "sitting",
        "body_region": "hips",
        "equipment": "chair",
        "instructions": (
            "Sit tall with your feet flat. Place one hand on top of your thigh near the "
            "knee and try to lift the knee while your hand stops it from moving. Hold, "
            "relax, then do the other side."
        ),
        "what_to_feel": "The front of your hip and your lower tummy working.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Sit to Stand",
        "kind": "dynamic",
        "position": "sitting",
        "body_region": "whole_body",
        "equipment": "chair",
        "instructions": (
            "Sit near the front of a firm chair with your feet under your knees. Lean "
            "forward a little from your hips and stand up, then sit back down slowly with "
            "control. Use your hands on your thighs if you need to."
        ),
        "what_to_feel": "Your thighs and buttocks doing the work; your back stays long.",
        "breathing_cue": BREATHE_REPS,
    },
    # Standing.
    {
        "name": "Wall Sit",
        "kind": "isometric",
        "position": "standing",
        "body_region": "hips",
        "equipment": "wall",
        "instructions": (
            "Stand with your back against a wall and your feet a step away from it. Slide "
            "down a little, only as far as is comfortable, keeping your back against the "
            "wall. Hold, then slide back up."
        ),
        "what_to_feel": "Your thighs working; your back supported by the wall.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Standing Pallof Press Hold",
        "kind": "isometric",
        "position": "standing",
        "body_region": "trunk",
        "equipment": "band",
        "instructions": (
            "Stand side-on to a band or cable fixed at chest height, feet hip-width apart. "
            "Hold the handle at your chest and push it straight out in front. Stay square "
            "and don't let it pull you round. Hold, then bring it back in."
        ),
        "what_to_feel": "Your tummy muscles working to stop your trunk from turning.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Standing Wall Press",
        "kind": "isometric",
        "position": "standing",
        "body_region": "trunk",
        "equipment": "wall",
        "instructions": (
            "Stand facing a wall, a short step away, and place your forearms on it at "
            "shoulder height. Lean into the wall a little, keeping your body in a straight "
            "line from heels to head. Hold, then step back."
        ),
        "what_to_feel": "Your tummy and buttocks keeping your body straight.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Split Stance Brace",
        "kind": "isometric",
        "position": "standing",
        "body_region": "whole_body",
        "equipment": "none",
        "instructions": (
            "Stand with one foot a step in front of the other, weight shared between them. "
            "Stand tall and gently tighten your tummy and buttocks. Hold the position "
            "steady, then swap legs."
        ),
        "what_to_feel": "Light work through your tummy, buttocks and legs keeping you steady.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Hip Hinge with Dowel",
        "kind": "dynamic",
        "position": "standing",
        "body_region": "hips",
        "equipment": "none",
        "instructions": (
            "Stand tall holding a broom handle along your back so it touches your head, "
            "upper back and tailbone. Bend forward from your hips, knees slightly bent, "
            "keeping all three contact points. Return to standing."
        ),
        "what_to_feel": "The backs of your thighs and your buttocks; your back stays still.",
        "breathing_cue": BREATHE_REPS,
    },
    # Task-specific: practising real lifting and carrying.
    {
        "name": "Suitcase Hold",
        "kind": "isometric",
        "position": "task_specific",
        "body_region": "trunk",
        "equipment": "weight",
        "instructions": (
            "Stand tall holding a kettlebell or a bag in one hand by your side. Don't let "
            "it pull you sideways; keep your shoulders level. Hold, put it down, then swap "
            "hands."
        ),
        "what_to_feel": "The side of your waist opposite the weight working.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Deadlift Hold at Mid-shin",
        "kind": "isometric",
        "position": "task_specific",
        "body_region": "lower_back",
        "equipment": "weight",
        "instructions": (
            "Stand over a light kettlebell or box. Bend at hips and knees with a long back "
            "and take hold of it. Lift it only to mid-shin height and hold still, then set "
            "it down with control."
        ),
        "what_to_feel": "Your buttocks, thighs and back muscles sharing the load.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Goblet Squat Hold",
        "kind": "isometric",
        "position": "task_specific",
        "body_region": "whole_body",
        "equipment": "weight",
        "instructions": (
            "Hold a light weight close to your chest with both hands. Squat down part of "
            "the way, as if about to sit, keeping your chest up. Hold, then stand up."
        ),
        "what_to_feel": "Your thighs and buttocks working while your trunk stays steady.",
        "breathing_cue": BREATHE,
    },
    {
        "name": "Farmer's Carry",
        "kind": "dynamic",
        "position": "task_specific",
        "body_region": "whole_body",
        "equipment": "weight",
        "instructions": (
            "Pick up a light weight in each hand using a good lift. Walk slowly for a short "
            "distance, standing tall with shoulders level, then put the weights down "
            "carefully. Each walk counts as one repetition."
        ),
        "what_to_feel": "Your trunk, grip and legs working together to keep you upright.",
        "breathing_cue": BREATHE_REPS,
    },
    {
        "name": "Box Lift from Chair Height",
        "kind": "dynamic",
        "position": "task_specific",
        "body_region": "whole_body",
        "equipment": "chair",
        "instructions": (
            "Put a light box on a chair. Stand close, bend at hips and knees with a long "
            "back, hold the box close and stand up with it. Set it back down the same way."
        ),
        "what_to_feel": "Your legs and buttocks doing the lifting, the box close to you.",
        "breathing_cue": BREATHE_REPS,
    },
)


def load_built_ins(apps, schema_editor):
    Exercise = apps.get_model("programmes", "Exercise")
    for entry in BUILT_IN_EXERCISES:
        fields = {key: value for key, value in entry.items() if key != "name"}
        Exercise.objects.update_or_create(clinic=None, name=entry["name"], defaults=fields)


def remove_built_ins(apps, schema_editor):
    Exercise = apps.get_model("programmes", "Exercise")
    names = [entry["name"] for entry in BUILT_IN_EXERCISES]
    Exercise.objects.filter(clinic=None, name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(load_built_ins, remove_built_ins)]
